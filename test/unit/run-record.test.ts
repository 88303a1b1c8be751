import { describe, expect, it } from 'vitest';
import { assembleRecord, caseOutcome, casesFromRepeats, metricSamples, summaryLine } from '../../harness/reports/run-record.ts';
import { VM_METRICS } from '../../harness/reports/metric-names.ts';
import { attempt, bootAttempt, part } from './fixtures/sample-record.ts';

describe('run record', () => {
  it('folds repeats into one case per test, attempts in order', () => {
    const run = (bootMs: number) => [
      { group: 'lifecycle', id: 'boot-to-ready', file: 'l.ts', attempt: bootAttempt(bootMs) },
      { group: 'lifecycle', id: 'destroy-leaves-nothing', file: 'l.ts', attempt: attempt() },
    ];
    const cases = casesFromRepeats([run(2_700), run(2_900), run(2_800)]);
    expect(cases.map((entry) => [entry.id, entry.attempts.length])).toEqual([
      ['boot-to-ready', 3],
      ['destroy-leaves-nothing', 3],
    ]);
    expect(metricSamples(cases[0]!).get(VM_METRICS.firstExec)).toEqual({ unit: 'ms', better: 'lower', samples: [2_700, 2_900, 2_800] });
  });

  it('marks a case flaky when it passed and failed across repeats, or passed only on a retry', () => {
    expect(caseOutcome([attempt(), attempt({ outcome: 'failed' })])).toBe('flaky');
    expect(caseOutcome([attempt({ retries: 1 })])).toBe('flaky');
    expect(caseOutcome([attempt({ outcome: 'failed' }), attempt({ outcome: 'failed' })])).toBe('failed');
    expect(caseOutcome([attempt(), attempt()])).toBe('passed');
    expect(caseOutcome([attempt({ outcome: 'skipped' })])).toBe('skipped');
  });

  it('counts flaky cases among the failed in the line CI reads', () => {
    const record = assembleRecord([
      part([
        [
          { group: 'g', id: 'a', file: 'f.ts', attempt: attempt() },
          { group: 'g', id: 'b', file: 'f.ts', attempt: attempt() },
          { group: 'g', id: 'c', file: 'f.ts', attempt: attempt({ outcome: 'skipped' }) },
        ],
        [
          { group: 'g', id: 'a', file: 'f.ts', attempt: attempt() },
          { group: 'g', id: 'b', file: 'f.ts', attempt: attempt({ outcome: 'failed' }) },
          { group: 'g', id: 'c', file: 'f.ts', attempt: attempt({ outcome: 'skipped' }) },
        ],
      ]),
    ]);
    expect(record.totals).toEqual({ passed: 1, failed: 0, flaky: 1, skipped: 1 });
    expect(summaryLine(record.totals)).toBe('tests: 1 passed, 1 failed, 1 skipped');
  });
});
