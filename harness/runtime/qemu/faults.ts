/**
 * Every fault the QEMU runtime honours, for the adapter's initialize (`gauntlet runtime serve qemu`
 * offers them all). A record over the whole Fault type: a member added to contract/faults.ts without a line
 * here stops the type check, so the list the adapter offers cannot drift from what the runtime does.
 */
import type { Fault } from '../../contract/faults.ts';

const HONOURED: Record<Fault, true> = {
  'console-log-uncapped': true,
  'client-unbounded-line-buffer': true,
  'client-no-hello-deadline': true,
  'client-delivers-stray-replies': true,
  'balloon-driver-missing': true,
  'no-free-page-reporting': true,
  'no-deflate-on-oom': true,
  'vmm-default-memory': true,
  'guest-memory-locked': true,
  'no-balloon-stats-polling': true,
  'no-balloon-floor': true,
  'balloon-drops-target-above-memory': true,
  'balloon-control-untracked': true,
  'agent-port-driver-missing': true,
  'fresh-overlay-on-start': true,
  'no-discard': true,
  'oversized-rootfs': true,
  'rootfs-inodes-ignored': true,
  'overlay-leak-on-destroy': true,
  'agent-unguarded-reopen': true,
  'agent-never-reopens': true,
  'agent-shell-only-kill': true,
  'agent-pipeline-status': true,
  'agent-no-respawn': true,
  'client-ignores-request-ids': true,
  'client-output-as-text': true,
  'client-ignores-truncated-flag': true,
  'client-keeps-transcript': true,
  'agent-state-on-rootfs': true,
  'io-throttle-starves': true,
  'upload-ignores-exit-code': true,
  'lazy-refcounts': true,
  'host-write-errors-reported': true,
  'restore-shares-overlay': true,
  'restore-resets-balloon': true,
  'restore-loses-stats-polling': true,
  'restore-awaits-hello': true,
};

export const QEMU_FAULTS = Object.keys(HONOURED) as Fault[];
