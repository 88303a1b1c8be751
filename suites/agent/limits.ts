/**
 * The agent cases' numbers. The read timeouts they run with are AGENT.readTimeoutSeconds (short, to
 * stay fast) and AGENT.productionReadTimeoutSeconds (harness/config/constants.ts), set per VM.
 */
export const AGENT_CASES = {
  /**
   * Idle time beyond the read timeout before an exec that must find the reopened agent: the agent
   * notices its timeout and reopens its port in a moment, not at once (KVM base, scaled).
   */
  reopenAllowanceMs: 500,
  /** multiple-reconnects: idle timeouts in a row, each followed by an exec. */
  reconnectCycles: 3,
  /**
   * reconnect-window-sweep: idle periods of read timeout + offset, the offsets every `stepSeconds`
   * across ± `spanSeconds` and every `denseStepSeconds` just past the timeout, where the agent closes
   * and reopens its port. An agent that does not guard its reopen loses requests sent some 0.07–0.33 s
   * after its timeout, not every one in that range, and the window moves with the guest's load: it is
   * narrower than the coarse step, hence the dense steps over the range it moves in.
   */
  sweep: {
    /** Shorter than the other cases' (AGENT.readTimeoutSeconds): the sweep idles through some thirty timeouts. */
    readTimeoutSeconds: 2,
    spanSeconds: 1,
    stepSeconds: 0.25,
    denseFromSeconds: 0,
    denseToSeconds: 0.6,
    denseStepSeconds: 0.025,
    /** Guest timeout of each sweep exec; the host gives a lost request up after this plus its reply grace. */
    execTimeoutSeconds: 2,
    /**
     * VMs the offsets are dealt over (round robin), each idling through its share at once: the sweep is
     * waiting, not work, so four idle guests cost memory, not CPU. Each still gets every fourth dense
     * offset, 0.1 s apart: several inside the faults' windows.
     */
    lanes: 4,
  },
  /** respawn-after-kill: guest timeout of the exec that must reach the respawned agent. */
  respawnExecTimeoutSeconds: 5,
  hostReconnect: {
    /** How long the new request keeps its reply back after releasing the old one, so the old reply comes first. */
    newReplyDelaySeconds: 2,
    /** Guest timeout of the old request, which waits until the new one releases it. */
    oldRequestTimeoutSeconds: 30,
  },
  largeOutputBytes: 8 * 1024 * 1024,
  concurrentExecs: 8,
  /** concurrent-exec: exec i sleeps (count − 1 − i) × this, so replies arrive in the reverse of the send order. */
  concurrentStaggerSeconds: 0.2,
  execTimeout: {
    timeoutSeconds: 2,
    /** What the command would run for if nothing killed it. */
    commandSeconds: 600,
  },
  outputCap: {
    /**
     * Live host memory growth (heap and Buffers after a full collection) allowed per byte the host
     * keeps of a capped stream (AGENT.outputLimitBytes). While a field streams in, the host holds its
     * base64 text (4/3 byte per byte kept); the joined text and the decoded Buffer replace it within
     * one synchronous step, and the result is 1. What grows with the output rather than with the cap
     * (a second copy of the stream) passes 2.
     */
    hostMemoryPerKeptByte: 2,
    /**
     * Each sample runs two full collections (process-memory.ts), some tens of ms with the stream held,
     * so a finer step would spend the case's CPU on the collector. A host that keeps what it reads
     * grows for as long as the stream lasts, so a few samples a second still see it.
     */
    memorySampleIntervalMs: 250,
  },
} as const;
