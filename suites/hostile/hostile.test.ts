import { recordMetric } from '../../harness/vitest/case-recorder.ts';
import { describe, requireCapabilities, test } from '../../harness/vitest/vm-test.ts';
import {
  checkAgentGarbageFrames,
  checkAgentNeverHello,
  checkAgentUnknownIds,
  checkConsoleFloodBounded,
  garbageFramesSpec,
  neverHelloSpec,
  unknownIdsSpec,
} from './checks.ts';

describe('hostile', () => {
  test('console-flood-bounded', async ({ vm, runtime, task }) => {
    const flood = await checkConsoleFloodBounded(await vm(), runtime.accelerator);
    recordMetric(task, 'bytes the guest wrote to its console', flood.guestBytes, 'bytes');
    recordMetric(task, 'console log kept', flood.keptBytes, 'bytes');
    recordMetric(task, 'harness live memory growth', flood.liveMemoryGrowth, 'bytes');
  });

  test('agent-garbage-frames', async ({ vm, task, runtime, skip }) => {
    requireCapabilities(skip, runtime, 'gauntlet-agent');
    recordMetric(task, 'protocol errors reported', await checkAgentGarbageFrames(await vm(garbageFramesSpec)), 'count');
  });

  test('agent-never-hello', async ({ vm, runtime, task, skip }) => {
    requireCapabilities(skip, runtime, 'gauntlet-agent');
    const { failedAfterMs } = await checkAgentNeverHello(() => vm(neverHelloSpec), runtime.accelerator);
    recordMetric(task, 'create failed after', failedAfterMs, 'ms');
  });

  test('agent-unknown-ids', async ({ vm, runtime, task, skip }) => {
    requireCapabilities(skip, runtime, 'gauntlet-agent');
    recordMetric(task, 'stray replies ignored', await checkAgentUnknownIds(await vm(unknownIdsSpec), runtime.accelerator), 'count');
  });
});
