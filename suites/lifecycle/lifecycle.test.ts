import { describe, recordMetric, requireCapabilities, test } from '../../harness/fixtures/vm-test.ts';
import { checkBootToReady, checkDestroyLeavesNothing, checkStopStartPreservesDisk } from './checks.ts';

describe('lifecycle', () => {
  test('boot-to-ready', async ({ vm, runtime, task }) => {
    recordMetric(task, 'boot', await checkBootToReady(() => vm(), runtime.accelerator), 'ms');
  });

  test('destroy-leaves-nothing', async ({ vm }) => {
    await checkDestroyLeavesNothing(await vm());
  });

  test('stop-start-preserves-disk', async ({ vm, runtime, skip }) => {
    requireCapabilities(skip, runtime, 'stop-start');
    await checkStopStartPreservesDisk(await vm());
  });
});
