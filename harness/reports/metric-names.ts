/**
 * Names of the metrics the harness itself records for every VM, whatever the case: shared by the
 * recorder (harness/vitest/vm-test.ts) and the reports that single them out (the boot chart).
 */
export const VM_METRICS = {
  /** VMM start → the guest's first serial console output. */
  firstConsoleOutput: 'boot to first console output',
  /** VMM start → its control channel answered (run.json @2 named it after one VMM's channel; run-json.ts renames). */
  controlConnect: 'VMM control connect',
  /** VMM start → the guest agent answered the first exec: the boot time. */
  firstExec: 'boot to first exec',
  /** VMM start → the first exec of a VM restored from a saved state: what a restore costs in place of a boot. */
  restoreFirstExec: 'restore to first exec',
  execRoundTrip: 'exec round trip',
  /** The most of its own memory (apart from guest RAM) the VMM held, as its runtime watched it: one sample per VM. */
  vmmOverheadPeak: 'VMM overhead peak',
} as const;
