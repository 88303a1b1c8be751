/**
 * Watching a value while something else runs: "keeps growing through the fill" needs samples taken
 * before, during and after the fill, on a clock both sides share (the host's).
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface Sample<T> {
  /** Milliseconds since the first sample. */
  atMs: number;
  value: T;
}

export interface SampledWork<W, T> {
  result: W;
  /** One sample before the work starts, one every interval while it runs, one after it ends. */
  samples: Sample<T>[];
}

export async function sampleDuring<W, T>(start: () => Promise<W>, probe: () => Promise<T>, intervalMs: number): Promise<SampledWork<W, T>> {
  const startedAt = performance.now();
  const samples: Sample<T>[] = [];
  const take = async () => {
    const value = await probe();
    samples.push({ atMs: Math.round(performance.now() - startedAt), value });
  };
  await take();
  // Settled into a value, so a failing probe cannot leave the work's rejection unhandled.
  const work = start().then(
    (result) => ({ ok: true as const, result }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  let outcome: Awaited<typeof work> | undefined;
  const finished = work.then((settled) => (outcome = settled));
  try {
    while (!outcome) {
      await Promise.race([finished, sleep(intervalMs, undefined, { ref: false })]);
      if (!outcome) await take();
    }
  } finally {
    // The work must end before this returns or throws: nothing the case started outlives it.
    await finished;
  }
  if (!outcome.ok) throw outcome.error;
  await take();
  return { result: outcome.result, samples };
}
