import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './harness/vitest/longest-first.ts';

const vmTests = {
  globalSetup: ['harness/vitest/global-setup.ts'],
  // VMs are processes with sockets and disks: forked workers isolate them and take them along on exit.
  pool: 'forks' as const,
  testTimeout: 300_000,
  hookTimeout: 120_000,
  teardownTimeout: 60_000,
};

export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { name: 'suites', include: ['suites/**/*.test.ts'], ...vmTests } },
      // Fault tests: each proves a case's named claim turns red on a VM with the fault (`gauntlet prove`).
      { test: { name: 'faults', include: ['test/faults/**/*.test.ts'], ...vmTests } },
      // Whole-tool tests on real VMs: bisect, an interrupted run, the adapters (served QEMU, the Python example).
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], ...vmTests } },
      // Tests that judge timings (compare end to end) run alone, after every other project: VMs of
      // other tests starting and stopping beside them load the host unevenly and fake or hide a change.
      {
        test: {
          name: 'timing',
          include: ['test/timing/**/*.test.ts'],
          ...vmTests,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      // The CI cell run here step by step (test/workflows/cell-dry-run.test.ts): it starts its own
      // runs in fresh clones, so no global setup, and it goes last, alone, to hold its 3 minutes.
      {
        test: {
          name: 'workflows',
          include: ['test/workflows/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 600_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
