/**
 * What a worker receives: the run target as the run's preparation resolved it, plus everything a
 * runtime kind needs to open its runtime without working anything out again (the guest image's files
 * and hash, the run dir, the seed). Plain data, so it travels to the workers and to an adapter as JSON.
 */
import type { GuestArch, RunTarget } from './run-target.ts';

/** The guest image a run boots, as the preparation found or built it (paths absolute). */
export interface PreparedImage {
  arch: GuestArch;
  dir: string;
  kernel: string;
  initramfs: string;
  rootfsTree: string;
  kernelVersion: string;
  recipeHash: string;
}

export interface PreparedTarget extends RunTarget {
  /** The runtime kind that opens it, by its registered name. */
  kind: string;
  image: PreparedImage;
  /** A kernel of the user's in place of the image's (absolute). */
  kernel?: string;
  /** Directory for every VM of this run; swept when the run ends. */
  runDir: string;
  /** Seeds every random choice of the run. */
  seed: number;
  /** Every VM boots, none is restored (`--cold`). */
  cold: boolean;
  /** Where a failed case's artifacts go, and which repeat of `--repeat N` this is (1-based). */
  reportsDir: string;
  repeat?: number;
}
