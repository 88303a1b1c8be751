import { describe, expect, it } from 'vitest';
import { benchCases, benchSummary, BENCH_METRICS } from '../../harness/bench/bench-record.ts';
import type { BenchSamples } from '../../harness/bench/measure.ts';
import { parseProcStat } from '../../harness/host/cpu-time.ts';
import { compareRuns } from '../../harness/reports/compare.ts';
import { assembleRecord } from '../../harness/reports/run-record.ts';
import { environment } from './fixtures/sample-record.ts';

const samples: BenchSamples = {
  rawBootMs: [1000, 1100, 1000, 1050, 1000, 1020, 990, 1010],
  coldReadyMs: [1100, 1200, 1050, 1100, 1080, 1090, 1070, 1060],
  restoreReadyMs: [],
  restoreUnavailable: 'the run boots every VM cold (--cold)',
  execRoundTripMs: [20, 22, 25, 21, 80],
  harnessCpuPercent: [3, 4, 3.5, 3, 4, 3, 3.2, 3.1],
};

describe('bench record', () => {
  it('keeps every sample under a stable name, ratios round by round, and a missing restore as a skip with its reason', () => {
    const cases = benchCases(samples, 1234);
    const metrics = Object.assign({}, ...cases.map((entry) => entry.attempts[0]!.metrics));
    expect(metrics[BENCH_METRICS.rawBoot].samples).toEqual(samples.rawBootMs);
    expect(metrics[BENCH_METRICS.coldOverRaw].samples[0]).toBeCloseTo(1.1);
    const restore = cases.find((entry) => entry.id === 'restore-ready')!;
    expect(restore.outcome).toBe('skipped');
    expect(restore.attempts[0]!.message).toContain('--cold');
  });

  it("leaves out the raw baseline and its ratio, with the reason, when the runtime's VMM cannot be booted alone", () => {
    const adapter = { ...samples, rawBootMs: [], rawBootUnavailable: 'boxlite runs its own VMM', harnessCpuPercent: [], harnessCpuUnavailable: "the VMMs are the adapter's children" };
    const cases = benchCases(adapter, 1);
    const raw = cases.find((entry) => entry.id === 'raw-boot')!;
    expect(raw).toMatchObject({ outcome: 'skipped', attempts: [{ message: 'not available: boxlite runs its own VMM' }] });
    expect(Object.keys(cases.find((entry) => entry.id === 'cold-ready')!.attempts[0]!.metrics)).toEqual([BENCH_METRICS.coldReady]);
    const lines = benchSummary(adapter).join('\n');
    expect(lines).toContain('raw boot: not available (boxlite runs its own VMM)');
    expect(lines).not.toContain('cold ÷ raw');
    expect(lines).toContain("harness share of CPU: not available (the VMMs are the adapter's children)");
    expect(cases.find((entry) => entry.id === 'harness-cpu')!.outcome).toBe('skipped');
  });

  it('is a record that compare reads: the same bench twice is no worse', () => {
    const record = assembleRecord([{ startedAt: '2026-11-29T00:00:00Z', durationMs: 1, repeats: 1, environment: environment(), cases: benchCases(samples, 1) }]);
    expect(compareRuns(record, record).regressed).toBe(false);
  });

  it('prints the ratio of the medians beside its target', () => {
    const lines = benchSummary(samples).join('\n');
    expect(lines).toMatch(/cold ÷ raw: 1\.0\d\d \(target ≤ 1\.1: met\)/);
    expect(lines).toContain('restore ready: not available (the run boots every VM cold (--cold))');
    expect(lines).toContain('p50 22 ms, p99 80 ms');
  });
});

describe('process CPU time from /proc/<pid>/stat', () => {
  it('reads utime+stime and cutime+cstime after a command name with spaces and parentheses', () => {
    const stat = '4242 (qemu (x) 1) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 50 7 3 20 0 3 0';
    expect(parseProcStat(stat)).toEqual({ ownMs: 2000, reapedChildrenMs: 100, parentPid: 1 });
  });
});
