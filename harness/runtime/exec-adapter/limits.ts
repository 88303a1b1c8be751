/** An out-of-process runtime (`--runtime exec:...`) and the protocol the harness speaks with it. */
export const ADAPTER = {
  /** An adapter that has not answered initialize by then does not start: npx and tsx take a few seconds cold. */
  initializeDeadlineMs: 60_000,
  /** destroy and leftovers answer within this or the adapter is killed: teardown must end within the case's hook timeout. */
  teardownDeadlineMs: 45_000,
  /** After stdin closes, how long the adapter has to tear its VMs down and exit before it is killed. */
  exitGraceMs: 10_000,
  /** The end of the adapter's stderr kept for the message of the case it failed. */
  stderrTailBytes: 4_096,
  /** A garbage line is quoted up to this many characters. */
  quotedLineChars: 120,
} as const;
