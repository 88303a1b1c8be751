/**
 * The memory the harness process holds while some work runs. A bound on what the host keeps of a
 * guest's output only means something if it is measured while the output streams in, so memory is
 * sampled on a timer during the work, not once afterwards.
 *
 * What is sampled is live memory after a full garbage collection, not the resident set: RSS is a
 * high-water mark of the process (memory an earlier case used and freed stays resident and is reused
 * without growing it), so RSS growth in a worker that ran other cases says little about this work,
 * and uncollected garbage would make the figure depend on when the collector last ran.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface MemoryFigures {
  /** The JS heap in use (strings such as base64 text). */
  heapUsed: number;
  /** Memory outside the JS heap that JS objects own (Buffers: socket chunks, decoded output). */
  external: number;
  /** heapUsed + external: all the process holds through JS objects. */
  live: number;
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
    const growth = { heapUsed: peak.heapUsed - before.heapUsed, external: peak.external - before.external, live: peak.live - before.live };
    return { result, before, peak, growth };
  } finally {
    clearInterval(timer);
  }
}

function sample(): MemoryFigures {
  collectGarbage();
  const { heapUsed, external } = process.memoryUsage();
  return { heapUsed, external, live: heapUsed + external };
}

let gc: (() => void) | undefined;

/** A full collection, whether or not the process was started with --expose-gc. */
function collectGarbage(): void {
  if (!gc) {
    // The flag exposes `gc` to contexts created after it is set: a fresh one hands it over.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  // Twice: V8 takes the Buffers one collection frees off the external count only at the next one.
  gc();
  gc();
}
