import { caseRecorder } from '../../harness/vitest/case-recorder.ts';
import { describe, requireCapabilities, test, waitingTest } from '../../harness/vitest/vm-test.ts';
import { checkFrozenGuestDetected, checkVmmOverheadBounded, overheadSpec } from './field-checks.ts';

// The lifecycle cases from the field (bugs microVM runtimes shipped with).
describe('lifecycle', () => {
  // The frozen VM costs no CPU: the case waits on the host's timers, beside the other waiting cases.
  waitingTest('frozen-guest-detected', async ({ vm, runtime, skip }) => {
    requireCapabilities(skip, runtime, 'guest-freeze');
    await checkFrozenGuestDetected(await vm());
  });

  test('vmm-overhead-bounded', async ({ vm, runtime, skip, task }) => {
    requireCapabilities(skip, runtime, 'host-vmm-overhead', 'stop-start', 'balloon');
    await checkVmmOverheadBounded(await vm(overheadSpec), caseRecorder(task));
  });
});
