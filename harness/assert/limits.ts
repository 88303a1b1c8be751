/** The assertion helpers' own numbers (harness/assert/). */

export const ALIVE = {
  /** expect-alive polls exec for up to this long (not scaled: it is the assertion). */
  windowMs: 10_000,
  pollIntervalMs: 250,
} as const;

export const ALIVE_PROBE = {
  /** Guest-side kill timeout of each `echo alive`; an answer takes milliseconds when the guest is fine. */
  execTimeoutSeconds: 2,
  /**
   * Host-side limit per attempt. The agent client itself waits the guest timeout plus a long reply
   * grace, which would let one stuck attempt eat the whole liveness window.
   */
  attemptTimeoutMs: 3_000,
} as const;

export const FOOTPRINT = {
  /** Share of a VM's host footprint growth that must be gone after it is destroyed. */
  minReleasedFraction: 0.9,
} as const;

export const STABLE_SAMPLING = {
  /** A measurement counts as settled once `settledSamples` samples in a row spread by at most this share. */
  maxRelativeChange: 0.01,
  /** Three intervals of holding still: one small step between two samples is also what a slow drift looks like. */
  settledSamples: 4,
} as const;
