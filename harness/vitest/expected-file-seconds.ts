/**
 * Seconds the long test files take on a 2-core TCG host with four workers, so a run starts the longest
 * first where vitest has no duration of its own cached, as in a fresh clone (every CI run). Only the
 * order depends on them: a stale figure makes a run slower, never wrong. A file not listed runs first,
 * as vitest runs a file it knows nothing of (longest-first.ts).
 */
export const EXPECTED_FILE_SECONDS: Readonly<Record<string, number>> = {
  'suites/agent/agent.test.ts': 65,
  'suites/balloon/balloon.test.ts': 60,
  'suites/hostile/hostile.test.ts': 47,
  'suites/hostile/field-cases.test.ts': 30,
  'suites/disk/host-space.test.ts': 43,
  'suites/disk/guest-fill.test.ts': 38,
  'suites/disk/field-cases.test.ts': 40,
  'suites/balloon/balloon-reclaim.test.ts': 26,
  'suites/snapshot/snapshot.test.ts': 15,
  // On a fresh cache: its entropy state is saved from a guest up 125 s; about 25 s once states are kept.
  'suites/snapshot/field-cases.test.ts': 200,
  'suites/lifecycle/lifecycle.test.ts': 11,
  'suites/lifecycle/field-cases.test.ts': 40,
  'test/faults/disk.test.ts': 530,
  'test/faults/balloon.test.ts': 388,
  'test/integration/served-adapter.test.ts': 139,
  'test/integration/python-adapter-balloon.test.ts': 124,
  'test/integration/python-adapter.test.ts': 122,
  'test/integration/python-adapter-disk-fill.test.ts': 112,
  'test/integration/python-adapter-disk-space.test.ts': 89,
  'test/integration/python-adapter-balloon-reclaim.test.ts': 40,
  'test/faults/agent.test.ts': 250,
  'test/faults/lifecycle.test.ts': 145,
  'test/faults/snapshot.test.ts': 95,
  'test/faults/hostile.test.ts': 295,
  'test/integration/bisect.test.ts': 26,
  'test/integration/interrupted-run.test.ts': 23,
};
