/**
 * The numbers of the lifecycle cases from the field (issue: cases microVM runtimes shipped bugs for),
 * each with where it comes from. None is a measurement of this host.
 */
export const FIELD_LIFECYCLE = {
  /** frozen-guest-detected: the guest-side timeout of the exec sent to the frozen guest. */
  frozenExecTimeoutSeconds: 1,
  /**
   * frozen-guest-detected: the longest an exec with a 1 s timeout may wait on a frozen guest before it
   * fails. A host may allow the reply a grace for its transit (the reference runtime 15 s, the agent
   * client's AGENT.replyGraceMs), but a caller who asked for 1 s and waits half a minute has met a hang.
   */
  frozenExecMaxWaitMs: 30_000,
  /**
   * frozen-guest-detected: how far past its own window the liveness poll may report a frozen guest:
   * its timers firing late on a busy host, not another probe.
   */
  livenessSlackMs: 2_000,
  /**
   * vmm-overhead-bounded: the row's "sampled at least every 250 ms": no two of the runtime's looks at
   * the VMM further apart. A quarter of a second is shorter than any growth the bound is about (a
   * leak, a cache filling) takes to come and go, and within what a watcher off the worker's event
   * loop can hold on a loaded host.
   */
  overheadLookEveryMs: 250,
  /** vmm-overhead-bounded: execs sent at once in its burst. */
  overheadExecBurst: 16,
} as const;
