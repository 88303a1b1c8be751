import { proves } from '../../harness/vitest/proof.ts';
import { booted, describe } from '../../harness/vitest/vm-test.ts';
import { checkBootToReady, checkDestroyLeavesNothing, checkStopStartPreservesDisk } from '../../suites/lifecycle/checks.ts';
import { caseRecorder } from '../../harness/vitest/case-recorder.ts';
import { checkFrozenGuestDetected, checkVmmOverheadBounded, overheadSpec } from '../../suites/lifecycle/field-checks.ts';

describe('lifecycle faults', () => {
  // The guest answers at once; only the runtime's settle keeps the VM from being ready in time.
  proves('boot-waits-fixed-settle', 'boot-to-ready/ready-within-deadline', ({ vm, runtime }) =>
    checkBootToReady(() => vm({ ...booted, faults: ['boot-waits-fixed-settle'] }), runtime.accelerator),
  );

  // destroy itself complains of the overlay it moved away; the host check finds it first, by name.
  proves('overlay-leak-on-destroy', 'destroy-leaves-nothing/no-file-left', async ({ vm, run }) =>
    checkDestroyLeavesNothing(await vm({ ...booted, faults: ['overlay-leak-on-destroy'] }), run.runDir),
  );

  // The runtime's own leftovers() does not know of the helper: destroy reports success.
  proves('destroy-orphans-helper', 'destroy-leaves-nothing/no-process-left', async ({ vm, run }) =>
    checkDestroyLeavesNothing(await vm({ ...booted, faults: ['destroy-orphans-helper'] }), run.runDir),
  );

  proves('fresh-overlay-on-start', 'stop-start-preserves-disk/content-unchanged', async ({ vm }) =>
    checkStopStartPreservesDisk(await vm({ ...booted, faults: ['fresh-overlay-on-start'] })),
  );

  // The exec to the frozen guest waits for ever: the check gives up at its bound and says it hangs.
  proves('client-exec-waits-forever', 'frozen-guest-detected/exec-fails-by-its-timeout', async ({ vm }) =>
    checkFrozenGuestDetected(await vm({ ...booted, faults: ['client-exec-waits-forever'] })),
  );

  // The exec to the frozen guest fails as it must; the runtime then counts the thawed guest dead.
  proves('exec-gives-up-after-no-answer', 'frozen-guest-detected/alive-after-thaw', async ({ vm }) =>
    checkFrozenGuestDetected(await vm({ ...booted, faults: ['exec-gives-up-after-no-answer'] })),
  );

  proves('vmm-stray-memory', 'vmm-overhead-bounded/peak-within-bound', async ({ vm, task }) =>
    checkVmmOverheadBounded(await vm({ ...overheadSpec, faults: ['vmm-stray-memory'] }), caseRecorder(task)),
  );

  proves('vmm-overhead-looks-seldom', 'vmm-overhead-bounded/looked-every-250ms', async ({ vm, task }) =>
    checkVmmOverheadBounded(await vm({ ...overheadSpec, faults: ['vmm-overhead-looks-seldom'] }), caseRecorder(task)),
  );
});
