import { recordMetric } from '../../harness/vitest/case-recorder.ts';
import { describe, requireCapabilities, test } from '../../harness/vitest/vm-test.ts';
import {
  checkAgentReconnectsAfterRestore,
  checkBalloonAfterRestore,
  checkBalloonedSnapshotKeepsSize,
  checkClonesIsolated,
  checkRestoreThenExec,
} from './checks.ts';

// Every case here is about a restored VM: under --cold the runtime lacks 'snapshot' and they skip, saying so.
describe('snapshot', () => {
  test('restore-then-exec', async ({ vm, runtime, skip }) => {
    requireCapabilities(skip, runtime, 'snapshot');
    // Both times are recorded by the fixture: 'boot to first exec' and 'restore to first exec'.
    await checkRestoreThenExec(vm);
  });

  test('clones-isolated', async ({ vm, runtime, skip }) => {
    requireCapabilities(skip, runtime, 'snapshot', 'host-footprint');
    await checkClonesIsolated(vm);
  });

  test('agent-reconnects-after-restore', async ({ vm, runtime, skip }) => {
    requireCapabilities(skip, runtime, 'snapshot', 'agent-reconnect', 'gauntlet-agent');
    await checkAgentReconnectsAfterRestore(vm, runtime.accelerator);
  });

  test('balloon-after-restore', async ({ vm, runtime, skip }) => {
    requireCapabilities(skip, runtime, 'snapshot', 'balloon', 'balloon-stats');
    await checkBalloonAfterRestore(vm, runtime.accelerator);
  });

  test('ballooned-snapshot-keeps-size', async ({ vm, runtime, skip, task }) => {
    requireCapabilities(skip, runtime, 'snapshot', 'balloon');
    recordMetric(task, 'restored balloon actual', await checkBalloonedSnapshotKeepsSize(vm), 'MiB');
  });
});
