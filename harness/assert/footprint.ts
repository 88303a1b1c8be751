/**
 * Host disk footprint as allocated blocks, never apparent size: a VM disk is a sparse file whose
 * length says nothing about the space it holds, and discard/reclaim only ever shows up in blocks.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { FOOTPRINT } from './limits.ts';

/** st_blocks counts 512-byte units on Linux and macOS alike (ext4, tmpfs, APFS), whatever the filesystem block size. */
const STAT_BLOCK_BYTES = 512;

/** A file that does not exist holds nothing: after destroy that is the expected state, not an error. */
export async function allocatedBytes(file: string): Promise<number> {
  const stats = await orMissing(() => stat(file));
  return stats ? stats.blocks * STAT_BLOCK_BYTES : 0;
}

/** Each distinct path counted once, so a file listed under two roles is not counted twice. */
export async function allocatedBytesOfAll(files: readonly string[]): Promise<number> {
  const sizes = await Promise.all([...new Set(files)].map((file) => allocatedBytes(file)));
  return sizes.reduce((sum, size) => sum + size, 0);
}

/**
 * Like `du -s`: the directory's own blocks included, symlinks not followed, hard links counted once.
 * Entries that vanish mid-walk are skipped, because a VM being torn down removes files while we look.
 */
export async function dirAllocatedBytes(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const visit = async (entry: string): Promise<void> => {
    const stats = await orMissing(() => lstat(entry));
    if (!stats) return;
    const identity = `${stats.dev}:${stats.ino}`;
    if (seen.has(identity)) return;
    seen.add(identity);
    total += stats.blocks * STAT_BLOCK_BYTES;
    if (!stats.isDirectory()) return;
    const names = await orMissing(() => readdir(entry));
    await Promise.all((names ?? []).map((name) => visit(path.join(entry, name))));
  };
  await visit(dir);
  return total;
}

export interface ReleaseMeasurement {
  /** Allocated bytes before the growth (e.g. before the VM was created). */
  before: number;
  /** Allocated bytes once grown (e.g. after the fill). */
  grown: number;
  /** Allocated bytes now (e.g. after destroy). */
  after: number;
}

/** Share of the growth (grown − before) that is gone again; 1 means all of it. */
export function releasedFraction({ before, grown, after }: ReleaseMeasurement): number {
  const growth = grown - before;
  if (!(growth > 0)) {
    throw new Error(`footprint did not grow (before ${formatMiB(before)}, grown ${formatMiB(grown)}): nothing to measure a release against`);
  }
  return (grown - after) / growth;
}

export function expectReleased(
  measurement: ReleaseMeasurement & { fraction?: number; what?: string },
): void {
  const fraction = measurement.fraction ?? FOOTPRINT.minReleasedFraction;
  const what = measurement.what ?? 'host footprint';
  const released = releasedFraction(measurement);
  if (released >= fraction) return;
  const { before, grown, after } = measurement;
  throw new Error(
    `${what}: expected ≥ ${percent(fraction)} of its growth released; before ${formatMiB(before)}, ` +
      `grown ${formatMiB(grown)} (+${formatMiB(grown - before)}), now ${formatMiB(after)}: released ${percent(released)}`,
  );
}

async function orMissing<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
