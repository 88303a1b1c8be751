import { booted, describe, expect, test } from '../../harness/vitest/vm-test.ts';
import { proves } from '../../harness/vitest/proof.ts';
import { checkBootToReady, checkDestroyLeavesNothing, checkStopStartPreservesDisk } from '../../suites/lifecycle/checks.ts';
import { caseRecorder } from '../../harness/vitest/case-recorder.ts';
import { checkFrozenGuestDetected, checkVmmOverheadBounded, overheadSpec } from '../../suites/lifecycle/field-checks.ts';

describe('lifecycle faults', () => {
  test('overlay-leak-on-destroy fails destroy-leaves-nothing', async ({ vm }) => {
    const leaky = await vm({ ...booted, faults: ['overlay-leak-on-destroy'] });
    await expect(checkDestroyLeavesNothing(leaky)).rejects.toThrow(/left behind: .*root\.qcow2/);
  });

  test('agent-port-driver-missing fails boot-to-ready', async ({ vm, runtime }) => {
    await expect(checkBootToReady(() => vm({ ...booted, faults: ['agent-port-driver-missing'] }), runtime.accelerator)).rejects.toThrow(/did not become ready/);
  });

  test('fresh-overlay-on-start fails stop-start-preserves-disk', async ({ vm }) => {
    const forgetful = await vm({ ...booted, faults: ['fresh-overlay-on-start'] });
    await expect(checkStopStartPreservesDisk(forgetful)).rejects.toThrow(/file written before stop: expected '' to be '[0-9a-f]{32}'/);
  });

  // The exec to the frozen guest waits for ever: the check gives up at its bound and says it hangs.
  test('client-exec-waits-forever fails frozen-guest-detected', async ({ vm }) => {
    const patient = await vm({ ...booted, faults: ['client-exec-waits-forever'] });
    await expect(checkFrozenGuestDetected(patient)).rejects.toThrow(/neither answered nor failed within \d+ ms: it hangs/);
  });

  proves('vmm-stray-memory', 'vmm-overhead-bounded/peak-within-bound', async ({ vm, task }) =>
    checkVmmOverheadBounded(await vm({ ...overheadSpec, faults: ['vmm-stray-memory'] }), caseRecorder(task)),
  );

  proves('vmm-overhead-looks-seldom', 'vmm-overhead-bounded/looked-every-250ms', async ({ vm, task }) =>
    checkVmmOverheadBounded(await vm({ ...overheadSpec, faults: ['vmm-overhead-looks-seldom'] }), caseRecorder(task)),
  );
});
