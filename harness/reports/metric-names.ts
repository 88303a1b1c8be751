/**
 * Names of the metrics the harness itself records for every VM, whatever the case: shared by the
 * recorder (harness/fixtures/vm-test.ts) and the reports that single them out (the boot chart).
 */
export const VM_METRICS = {
  /** VMM start → the guest's first serial console output. */
  firstConsoleOutput: 'boot to first console output',
  /** VMM start → its QMP monitor answered. */
  controlConnect: 'QMP connect',
  /** VMM start → the guest agent answered the first exec: the boot time. */
  firstExec: 'boot to first exec',
  execRoundTrip: 'exec round trip',
} as const;
