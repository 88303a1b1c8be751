/**
 * Memory a process holds moves for a while after the event that changed it (reclaim, page reporting,
 * a balloon settling): asserting on one sample would measure the transition, not the outcome.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { STABLE_SAMPLING } from '../config/constants.ts';

export interface SamplePoint {
  /** Date.now() when the sample was taken. */
  atMs: number;
  value: number;
}

export interface StableSamplingOptions {
  timeoutMs: number;
  intervalMs: number;
  /** Settled once two samples in a row differ by less than this share of the earlier one. */
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

export async function sampleUntilStable(sample: () => Promise<number>, opts: StableSamplingOptions): Promise<StableSample> {
  const maxChange = opts.maxRelativeChange ?? STABLE_SAMPLING.maxRelativeChange;
  const giveUpAt = performance.now() + opts.timeoutMs;
  const points: SamplePoint[] = [{ atMs: Date.now(), value: await sample() }];
  for (;;) {
    await sleep(opts.intervalMs);
    points.push({ atMs: Date.now(), value: await sample() });
    const [previous, latest] = points.slice(-2).map((point) => point.value) as [number, number];
    if (relativeChange(previous, latest) < maxChange) return { value: latest, points };
    if (performance.now() >= giveUpAt) {
      const recent = points.slice(-5).map((point) => point.value).join(', ');
      throw new Error(`${opts.what}: did not settle (change < ${maxChange * 100}% between samples) within ${opts.timeoutMs} ms; last samples: ${recent}`);
    }
  }
}
