/**
 * The random numbers a case draws (e.g. the balloon soak's targets), from the run's seed: two runs
 * with one `--seed` draw the same. Each purpose gets its own stream, so one case drawing more or
 * fewer numbers changes no other case's.
 */
import { mulberry32 } from './seeded-random.ts';

/** `seed` is the run's (the vm fixture's `run.seed`; prepareRun always sets one). */
export function runRandom(seed: number, purpose: string): () => number {
  return mulberry32(seed ^ hashText(purpose));
}

/** FNV-1a: a stable 32-bit number for a text. */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash;
}
