/** The hostile cases' numbers. */
export const HOSTILE_CASES = {
  /** console-flood-bounded: how long the guest writes to its serial console without pause (the catalogue's 20 s). */
  floodSeconds: 20,
  /** Beyond floodSeconds, how long the flood may take to end and be answered (KVM base, scaled). */
  floodEndGraceMs: 5_000,
  /** The kept console log's cap: the catalogue's two segments of 128 KiB, the current one and the one before. */
  keptConsoleBytes: 2 * 128 * 1024,
  /**
   * Growth of the harness's live memory allowed while the console floods, as a share of the bytes the
   * guest flooded (counted in the guest). A capture that keeps what it reads holds all of them, less
   * the little still in the FIFO and the UART when the flood ends: more than half. A capped capture
   * holds one FIFO read (at most the pipe's 64 KiB) and one log write at a time, however long the
   * flood; the case's precondition (a flood past the kept log's 256 KiB) puts half the flood above
   * 128 KiB, twice that. A share, not a byte count: the bound follows the flood the accelerator
   * allowed (a few MB in 20 s under TCG's slow UART, below any fixed bound that fits KVM), so it
   * catches the capture everywhere.
   */
  floodMemoryShareOfFlood: 0.5,
  /** How often memory is sampled (two full collections each, process-memory.ts) while the flood or the garbage streams in. */
  memorySampleIntervalMs: 500,
  /**
   * agent-garbage-frames: the most characters the host may hold of one unfinished frame. The hostile
   * agent writes a 64 KiB line with no frame end; a client bounded by its header limit
   * (AGENT_CHANNEL.maxHeaderChars) plus the cases' short replies stays far below this.
   */
  garbageHeldCharsBound: 16 * 1024,
  /** agent-garbage-frames: execs one after another, each reply behind its own garbage, while memory is sampled. */
  garbageExecs: 32,
  /**
   * The least garbage the hostile agent writes before each frame (fixtures/guest/agent/gauntlet-agent.sh,
   * `garbage`): 4 KiB of random bytes and a line of 64 KiB (base64 of 48 KiB) with no frame end.
   */
  garbageBytesPerFrame: 4096 + 65_536,
  /**
   * agent-garbage-frames: live memory growth allowed while the garbage streams in, as a share of the
   * garbage written before the replies (garbageExecs × garbageBytesPerFrame, 2.2 MB). A host that keeps
   * the bad input it skips holds all of it (as one-byte text: a byte a character); one that skips it
   * holds a header of at most AGENT_CHANNEL.maxHeaderChars and one socket chunk (64 KiB), whatever
   * the guest sends: under a tenth of the bound.
   */
  garbageMemoryShare: 0.5,
  /** agent-unknown-ids: execs in flight at once, staggered so replies (and the strays after each) interleave with waiting requests. */
  strayExecs: 8,
  strayStaggerSeconds: 0.2,
  /** Replies nobody asked for that the hostile agent sends after each real one: a duplicate and an unknown id. */
  straysPerReply: 2,
  /** How long the last strays may trail their real reply (KVM base, scaled). */
  strayArrivalMs: 1_000,
} as const;

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
