import { booted, describe, requireCapabilities, test } from '../../harness/vitest/vm-test.ts';
import { checkBootToReady, checkDestroyLeavesNothing, checkStopStartPreservesDisk } from './checks.ts';

// A VM's life from its boot is the subject here: every VM of these cases, and of their faults, boots.

describe('lifecycle', () => {
  // The vm fixture records every boot's milestones (boot to first exec, …) for every case.
  test('boot-to-ready', async ({ vm, runtime }) => {
    await checkBootToReady(() => vm(booted), runtime.accelerator);
  });

  test('destroy-leaves-nothing', async ({ vm, run }) => {
    await checkDestroyLeavesNothing(await vm(booted), run.runDir);
  });

  test('stop-start-preserves-disk', async ({ vm, runtime, skip }) => {
    requireCapabilities(skip, runtime, 'stop-start');
    await checkStopStartPreservesDisk(await vm(booted));
  });
});
