/** The hostile cases' numbers. */
export const HOSTILE_CASES = {
  /** console-flood-bounded: how long the guest writes to its serial console without pause (the catalogue's 20 s). */
  floodSeconds: 20,
  /** Beyond floodSeconds, how long the flood may take to end and be answered (KVM base, scaled). */
  floodEndGraceMs: 5_000,
  /** The kept console log's cap: the catalogue's two segments of 128 KiB, the current one and the one before. */
  keptConsoleBytes: 2 * 128 * 1024,
  /**
   * Growth of the harness's live memory allowed while the console floods. The capture holds one
   * socket chunk (64 KiB) and one write at a time, however much the guest writes; a capture that
   * keeps what it reads grows by the flood (megabytes per second).
   */
  floodMemoryBoundBytes: 8 * 1024 * 1024,
  memorySampleIntervalMs: 500,
  /**
   * agent-garbage-frames: the most characters the host may hold of one unfinished frame. The hostile
   * agent writes a 64 KiB line with no frame end; a client bounded by its header limit
   * (AGENT_CHANNEL.maxHeaderChars) plus the cases' short replies stays far below this.
   */
  garbageHeldCharsBound: 16 * 1024,
  /** agent-unknown-ids: execs in flight at once, staggered so replies (and the strays after each) interleave with waiting requests. */
  strayExecs: 8,
  strayStaggerSeconds: 0.2,
  /** Replies nobody asked for that the hostile agent sends after each real one: a duplicate and an unknown id. */
  straysPerReply: 2,
  /** How long the last strays may trail their real reply (KVM base, scaled). */
  strayArrivalMs: 1_000,
} as const;
