/**
 * Each snapshot case must turn red, at the claim the fault breaks, when the restore is broken the way
 * real runtimes have shipped it: the case's own check runs on VMs restored by a runtime with the fault.
 */
import type { Fault } from '../../harness/contract/faults.ts';
import type { SandboxSpec } from '../../harness/contract/sandbox.ts';
import { proves } from '../../harness/vitest/proof.ts';
import { describe, type MakeVm } from '../../harness/vitest/vm-test.ts';
import {
  checkAgentReconnectsAfterRestore,
  checkBalloonAfterRestore,
  checkBalloonedSnapshotKeepsSize,
  checkClonesIsolated,
  checkRestoreThenExec,
} from '../../suites/snapshot/checks.ts';
import { checkBalloonSnapshotDeflate, checkClockAfterRestore, checkClonesDistinctEntropy, checkExecStormAfterRestore } from '../../suites/snapshot/field-checks.ts';

/** The check's VMs, each with the fault. */
function withFault(vm: MakeVm, fault: Fault): MakeVm {
  return (spec: Partial<SandboxSpec> = {}) => vm({ ...spec, faults: [...(spec.faults ?? []), fault] });
}

describe('snapshot faults', () => {
  // The "restored" VM boots as the cold one did: it skips none of the guest's boot.
  proves('restore-boots-cold', 'restore-then-exec/restore-skips-guest-boot', ({ vm }) => checkRestoreThenExec(withFault(vm, 'restore-boots-cold')));

  proves('restore-shares-overlay', 'clones-isolated/own-overlay', ({ vm }) => checkClonesIsolated(withFault(vm, 'restore-shares-overlay')));

  // The restored agent, mid-read, greets only at its idle reopen, at most one read timeout after the
  // resume; the case's read timeout keeps that inside the HELLO window on every accelerator
  // (reconnectReadTimeoutSeconds), so the host that waits for it is late, not refused.
  proves('restore-awaits-hello', 'agent-reconnects-after-restore/first-exec-at-once', ({ vm, runtime }) =>
    checkAgentReconnectsAfterRestore(withFault(vm, 'restore-awaits-hello'), runtime.accelerator),
  );

  proves('agent-never-reopens', 'agent-reconnects-after-restore/reopens-when-idle', ({ vm, runtime }) =>
    checkAgentReconnectsAfterRestore(withFault(vm, 'agent-never-reopens'), runtime.accelerator),
  );

  proves('restore-loses-stats-polling', 'balloon-after-restore/stats-refresh', ({ vm, runtime }) =>
    checkBalloonAfterRestore(withFault(vm, 'restore-loses-stats-polling'), runtime.accelerator),
  );

  proves('restore-resets-balloon', 'ballooned-snapshot-keeps-size/size-kept', ({ vm }) => checkBalloonedSnapshotKeepsSize(withFault(vm, 'restore-resets-balloon')));

  // The saved guest is past its early-boot reseeding and was reseeded just before its save: only the
  // runtime's reseed at restore can set the clones apart.
  proves('restore-skips-reseed', 'clones-distinct-entropy/random-state-distinct', ({ vm }) => checkClonesDistinctEntropy(withFault(vm, 'restore-skips-reseed')));

  proves('restore-keeps-saved-clock', 'clock-after-restore/wall-clock-current', ({ vm }) => checkClockAfterRestore(withFault(vm, 'restore-keeps-saved-clock')));

  proves('client-ignores-request-ids', 'exec-storm-after-restore/own-output', ({ vm, runtime }) =>
    checkExecStormAfterRestore(withFault(vm, 'client-ignores-request-ids'), runtime.accelerator),
  );

  proves('restore-loses-stats-polling', 'balloon-snapshot-deflate/stats-refresh', ({ vm, runtime }) =>
    checkBalloonSnapshotDeflate(withFault(vm, 'restore-loses-stats-polling'), runtime.accelerator),
  );
});
