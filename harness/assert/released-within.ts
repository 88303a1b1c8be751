/**
 * Host space that comes back asynchronously (a VMM's files removed after it exits, discards reaching
 * the image after a guest journal commit) is polled for up to the window the catalogue allows, then
 * judged on the last reading, so the failure says how much came back, not only that time ran out.
 */
import { expectReleased, releasedFraction } from './footprint.ts';
import { pollUntil } from '../wait/poll.ts';

export interface ReleaseWithin {
  /** Allocated bytes before the growth, and once grown. */
  before: number;
  grown: number;
  /** Share of the growth that must be gone. */
  fraction: number;
  windowMs: number;
  what: string;
}

/** Returns the last reading. */
export async function expectReleasedWithin(measure: () => Promise<number>, expected: ReleaseWithin): Promise<number> {
  const { before, grown, fraction, windowMs, what } = expected;
  let after = grown;
  await pollUntil(
    async () => (after = await measure()),
    (now) => releasedFraction({ before, grown, after: now }) >= fraction,
    { timeoutMs: windowMs, what },
  ).catch(() => undefined);
  expectReleased({ before, grown, after, fraction, what: `${what} (within ${windowMs / 1000} s)` });
  return after;
}
