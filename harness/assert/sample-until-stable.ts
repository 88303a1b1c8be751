/**
 * Memory a process holds moves for a while after the event that changed it (reclaim, page reporting,
 * a balloon settling): asserting on one sample would measure the transition, not the outcome. Nor does
 * one pair of close samples prove it settled: a slow drift (a balloon giving back 1 MiB per OOM event,
 * TCG stretching the guest's work) shows as a small step between any two samples, so the reading must
 * hold still over several.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { STABLE_SAMPLING } from './limits.ts';

export interface SamplePoint {
  /** Date.now() when the sample was taken. */
  atMs: number;
  value: number;
}

export interface StableSamplingOptions {
  timeoutMs: number;
  intervalMs: number;
  /** Settled once this many samples in a row (at least 2) stay within `maxRelativeChange` of each other. */
  settledSamples?: number;
  /** The largest spread, as a share of the lowest of those samples, that still counts as holding still. */
  maxRelativeChange?: number;
  /** The measurement, as the failure message should name it. */
  what: string;
}

export interface StableSample {
  value: number;
  /** Every sample taken, for plots. */
  points: SamplePoint[];
}

export function relativeChange(previous: number, next: number): number {
  if (previous === next) return 0;
  return Math.abs(next - previous) / Math.abs(previous);
}

/** Whether the last `count` values all lie within `maxChange` of the lowest of them. */
export function heldStill(values: readonly number[], count: number, maxChange: number): boolean {
  if (values.length < count) return false;
  const window = values.slice(-count);
  return relativeChange(Math.min(...window), Math.max(...window)) <= maxChange;
}

export async function sampleUntilStable(sample: () => Promise<number>, opts: StableSamplingOptions): Promise<StableSample> {
  const maxChange = opts.maxRelativeChange ?? STABLE_SAMPLING.maxRelativeChange;
  const count = opts.settledSamples ?? STABLE_SAMPLING.settledSamples;
  if (!(Number.isInteger(count) && count >= 2)) throw new RangeError(`${opts.what}: settledSamples must be an integer ≥ 2 (got ${count})`);
  const giveUpAt = performance.now() + opts.timeoutMs;
  const points: SamplePoint[] = [{ atMs: Date.now(), value: await sample() }];
  for (;;) {
    await sleep(opts.intervalMs);
    points.push({ atMs: Date.now(), value: await sample() });
    const values = points.map((point) => point.value);
    if (heldStill(values, count, maxChange)) return { value: values.at(-1)!, points };
    if (performance.now() >= giveUpAt) {
      const recent = values.slice(-Math.max(count, 5)).join(', ');
      throw new Error(
        `${opts.what}: did not settle (${count} samples in a row within ${maxChange * 100}%) within ${opts.timeoutMs} ms; last samples: ${recent}`,
      );
    }
  }
}
