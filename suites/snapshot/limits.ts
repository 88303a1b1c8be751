/** The snapshot cases' numbers. */
export const SNAPSHOT_CASES = {
  /**
   * restore-then-exec: a restore must cost at most this share of a cold boot of the same profile, in the
   * same case; a restore at half a boot has lost its point.
   */
  maxRestoreOverCold: 0.5,
  /**
   * agent-reconnects-after-restore: the restored agent is mid-read, so its first exec must answer well
   * inside its read timeout; a host that hangs until the agent's idle reopen answers after all of it.
   */
  maxFirstExecShareOfReadTimeout: 0.5,
  /** Requests sent at once after the idle reopen: each must run exactly once. */
  requestsAfterReopen: 5,
  /**
   * ballooned-snapshot-keeps-size: how long the restored guest runs before its balloon is read; a
   * balloon set back to the whole memory deflates within a tenth of that, so this leaves it no doubt.
   */
  settleMs: 1_000,
} as const;
