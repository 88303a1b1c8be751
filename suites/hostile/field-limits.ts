/**
 * The numbers of the hostile cases from the field (issue: cases microVM runtimes shipped bugs for),
 * each with where it comes from. None is a measurement of this host.
 */
export const FIELD_HOSTILE = {
  /** agent-stops-reading: requests the host keeps sending to the agent that reads none of them. */
  unreadRequests: 32,
  /** agent-stops-reading: each request's own timeout. */
  unreadTimeoutSeconds: 1,
  /**
   * agent-stops-reading: the longest a request with a 1 s timeout may wait before it fails: the reply
   * grace a host may allow for transit, not a hang (as frozen-guest-detected).
   */
  unreadMaxWaitMs: 30_000,
  /** agent-stops-reading: execs of the neighbour VM meanwhile, one after another. */
  neighbourExecs: 5,
  /**
   * agent-stops-reading: the share of one core the harness process and the VMM may each use while the
   * requests wait: a busy loop takes the whole core; waiting on timers and an idle guest a few percent.
   */
  maxCpuShareWhileWaiting: 0.5,
} as const;
