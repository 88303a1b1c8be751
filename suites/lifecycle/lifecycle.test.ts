import { describe, requireCapabilities, test } from '../../harness/vitest/vm-test.ts';
import { booted, checkBootToReady, checkDestroyLeavesNothing, checkStopStartPreservesDisk } from './checks.ts';

describe('lifecycle', () => {
  // The vm fixture records every boot's milestones (boot to first exec, …) for every case.
  test('boot-to-ready', async ({ vm, runtime }) => {
    await checkBootToReady(() => vm(booted), runtime.accelerator);
  });

  test('destroy-leaves-nothing', async ({ vm }) => {
    await checkDestroyLeavesNothing(await vm(booted));
  });

  test('stop-start-preserves-disk', async ({ vm, runtime, skip }) => {
    requireCapabilities(skip, runtime, 'stop-start');
    await checkStopStartPreservesDisk(await vm(booted));
  });
});
