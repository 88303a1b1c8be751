/**
 * The harness process's own memory while some work runs. A bound on what the host keeps of a guest's
 * output only means something if it is measured while the output streams in, so memory is sampled on
 * a timer during the work, not once afterwards.
 */

export interface MemoryFigures {
  /** Resident set of the whole process. */
  rss: number;
  /** Buffers and other memory outside the JS heap (socket chunks, decoded output). */
  arrayBuffers: number;
  /** The JS heap in use (strings such as base64 text). */
  heapUsed: number;
}

export interface MemoryDuring<T> {
  result: T;
  before: MemoryFigures;
  /** Each figure's highest sample, taken independently of the others. */
  peak: MemoryFigures;
  /** peak − before, per figure. */
  growth: MemoryFigures;
}

export async function memoryDuring<T>(work: () => Promise<T>, sampleIntervalMs: number): Promise<MemoryDuring<T>> {
  const before = sample();
  const peak = { ...before };
  const record = () => {
    const now = sample();
    for (const key of Object.keys(peak) as (keyof MemoryFigures)[]) peak[key] = Math.max(peak[key], now[key]);
  };
  const timer = setInterval(record, sampleIntervalMs);
  try {
    const result = await work();
    // The work's result is still referenced here: what it holds counts.
    record();
    const growth = { rss: peak.rss - before.rss, arrayBuffers: peak.arrayBuffers - before.arrayBuffers, heapUsed: peak.heapUsed - before.heapUsed };
    return { result, before, peak, growth };
  } finally {
    clearInterval(timer);
  }
}

function sample(): MemoryFigures {
  const { rss, arrayBuffers, heapUsed } = process.memoryUsage();
  return { rss, arrayBuffers, heapUsed };
}
