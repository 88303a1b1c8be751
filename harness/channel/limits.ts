/** The host side of the agent channel (harness/channel/). */

export const AGENT_CHANNEL = {
  /** Extra host-side wait beyond the guest timeout before the host gives up on a reply. */
  replyGraceMs: 15_000,
  /** Longest frame header the host keeps while waiting for its end; real ones are under 100 characters. */
  maxHeaderChars: 256,
  /** Lines of the channel's last exchanges kept for a failed case's bundle: the last few dozen requests, enough to show what the agent last did. */
  transcriptLines: 60,
} as const;
