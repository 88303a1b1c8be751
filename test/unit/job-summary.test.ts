/**
 * The CI job summary of a run (harness/reports/job-summary.ts): every case in the table, each failure
 * with its first assertion line, and a comparison in which cases always gate and metrics gate only
 * where both records come from one environment.
 */
import { describe, expect, it } from 'vitest';
import { jobVerdict } from '../../harness/reports/job-summary.ts';
import { allCases, assembleRecord, matrixCell, type RunRecord } from '../../harness/reports/run-record.ts';
import { aarch64Environment, bootAttempt, bootRecord, bootTimes, part, sampleRecord } from './fixtures/sample-record.ts';

const FAST = bootRecord(bootTimes(20, 2_000, 1));
const SLOW = bootRecord(bootTimes(20, 2_600, 2));
const FAILING = bootRecord(bootTimes(20, 2_000, 3), Array(20).fill('failed'));
const FLAKY = bootRecord(bootTimes(20, 2_000, 4), ['failed']);

/** The same boots in two cells, x86_64 and aarch64: per-cell metrics. */
function twoCells(x86Ms: number, armMs: number, seed: number): RunRecord {
  const repeats = (centre: number, s: number) => bootTimes(20, centre, s).map((ms) => [{ group: 'lifecycle', id: 'boot-to-ready', file: 'suites/lifecycle/lifecycle.test.ts', attempt: bootAttempt(ms) }]);
  return assembleRecord([part(repeats(x86Ms, seed)), part(repeats(armMs, seed + 1), { environment: aarch64Environment() })]);
}

describe('the job summary', () => {
  it('lists every case, and each failure with its first assertion line', () => {
    const record = sampleRecord();
    const { markdown, regressed } = jobVerdict(record);
    for (const entry of allCases(record)) expect(markdown).toContain(entry.id);
    const failures = allCases(record).filter((entry) => entry.outcome === 'failed' || entry.outcome === 'flaky');
    expect(failures.length).toBeGreaterThan(1);
    for (const entry of failures) {
      const message = entry.attempts.find((a) => a.outcome === 'failed')!.message!;
      expect(markdown).toContain(`- **${entry.id}** (${entry.outcome}): \`${message.split('\n')[0]}\``);
    }
    expect(markdown).toContain('compared with nothing');
    expect(regressed).toBe(false);
  });

  it('between hosted runners: a metric that moved is a warning, not a failure', () => {
    const verdict = jobVerdict(SLOW, { record: FAST, from: 'last night', metrics: 'warn' });
    expect(verdict.regressed).toBe(false);
    expect(verdict.warnings).toEqual([expect.stringMatching(/^metric regressed: /)]);
    expect(verdict.markdown).toMatch(/Cases gate, metrics warn/);
  });

  it('in one environment: the same metric move fails the job', () => {
    const verdict = jobVerdict(SLOW, { record: FAST, from: 'build A, same job', metrics: 'gate' });
    expect(verdict.regressed).toBe(true);
    expect(verdict.warnings).toEqual([]);
    expect(verdict.markdown).toMatch(/Metrics gate here/);
  });

  it('a case newly failing fails the job even where metrics only warn', () => {
    const verdict = jobVerdict(FAILING, { record: FAST, from: 'last night', metrics: 'warn' });
    expect(verdict.regressed).toBe(true);
    expect(verdict.markdown).toMatch(/newly failing: .*boot-to-ready/);
    const flaky = jobVerdict(FLAKY, { record: FAST, from: 'last night', metrics: 'warn' });
    expect(flaky.regressed).toBe(true);
    expect(flaky.markdown).toMatch(/newly flaky: .*boot-to-ready/);
  });

  it("a pinned runner's cell gates on its metrics while the hosted cells' only warn", () => {
    const armCell = matrixCell(aarch64Environment());
    const armSlower = jobVerdict(twoCells(2_000, 2_600, 10), { record: twoCells(2_000, 2_000, 20), from: 'last night', metrics: 'warn', gateCells: [armCell] });
    expect(armSlower.regressed).toBe(true);
    const x86Slower = jobVerdict(twoCells(2_600, 2_000, 30), { record: twoCells(2_000, 2_000, 40), from: 'last night', metrics: 'warn', gateCells: [armCell] });
    expect(x86Slower.regressed).toBe(false);
    expect(x86Slower.warnings).toHaveLength(1);
  });
});
