/**
 * Each snapshot case must turn red when the restore is broken the way real runtimes have shipped it:
 * the case's own check, on VMs restored by a runtime with the fault, throws for that reason.
 */
import { describe, expect, test, type MakeVm } from '../../harness/vitest/vm-test.ts';
import type { Fault } from '../../harness/contract/faults.ts';
import type { SandboxSpec } from '../../harness/contract/sandbox.ts';
import {
  checkAgentReconnectsAfterRestore,
  checkBalloonAfterRestore,
  checkBalloonedSnapshotKeepsSize,
  checkClonesIsolated,
  checkRestoreThenExec,
} from '../../suites/snapshot/checks.ts';

/** The check's VMs, each with the fault. */
function withFault(vm: MakeVm, fault: Fault): MakeVm {
  return (spec: Partial<SandboxSpec> = {}) => vm({ ...spec, faults: [...(spec.faults ?? []), fault] });
}

describe('snapshot faults', () => {
  // The restored agent, with the production read timeout, stays silent past the HELLO window of its
  // port opening (QEMU reports the open port again on restore): the restore fails instead of answering.
  test('restore-awaits-hello fails restore-then-exec', async ({ vm }) => {
    await expect(checkRestoreThenExec(withFault(vm, 'restore-awaits-hello'))).rejects.toThrow(/sent no HELLO greeting/);
  });

  test('restore-shares-overlay fails clones-isolated', async ({ vm }) => {
    await expect(checkClonesIsolated(withFault(vm, 'restore-shares-overlay'))).rejects.toThrow(/do not each have their own disk overlay/);
  });

  test('restore-awaits-hello fails agent-reconnects-after-restore', async ({ vm }) => {
    await expect(checkAgentReconnectsAfterRestore(withFault(vm, 'restore-awaits-hello'))).rejects.toThrow(/restore to first exec \(the agent's read timeout/);
  });

  test('agent-never-reopens fails agent-reconnects-after-restore', async ({ vm }) => {
    await expect(checkAgentReconnectsAfterRestore(withFault(vm, 'agent-never-reopens'))).rejects.toThrow(/never reopened its port/);
  });

  test('restore-loses-stats-polling fails balloon-after-restore', async ({ vm, runtime }) => {
    await expect(checkBalloonAfterRestore(withFault(vm, 'restore-loses-stats-polling'), runtime.accelerator)).rejects.toThrow(/balloon stats/);
  });

  test('restore-resets-balloon fails ballooned-snapshot-keeps-size', async ({ vm }) => {
    await expect(checkBalloonedSnapshotKeepsSize(withFault(vm, 'restore-resets-balloon'))).rejects.toThrow(/restored balloon actual/);
  });
});
