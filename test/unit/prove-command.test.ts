/** `gauntlet prove`: which files it runs, where its reports go, and how it counts its proofs. */
import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../../harness/cli/args.ts';
import { proofCell, proofsLine } from '../../harness/cli/prove.ts';
import type { CaseRecord } from '../../harness/reports/run-record.ts';

const proof = (outcome: CaseRecord['outcome']): CaseRecord => ({ group: 'disk faults', id: 'no-discard ⇒ discard-zeroes/discarded-range-reads-zero', file: 'test/faults/disk.test.ts', outcome, attempts: [] });

describe('gauntlet prove', () => {
  it('runs the named suites\' fault tests, or all of them', () => {
    const { settings, suites } = parseCommand(['prove', 'disk', 'balloon'], {});
    expect(proofCell(suites, settings).filters).toEqual(['test/faults/disk.test.ts', 'test/faults/balloon.test.ts']);
    expect(proofCell([], settings).filters).toEqual(['test/faults/']);
  });

  it('refuses a suite without fault tests in one line', () => {
    const { settings } = parseCommand(['prove'], {});
    expect(() => proofCell(['nosuch'], settings)).toThrow(UsageError);
    expect(() => proofCell(['nosuch'], settings)).toThrow(/^no fault tests for: nosuch \(suites with fault tests: .*disk/);
  });

  it('writes its reports beside the suites\' own, not over them', () => {
    expect(parseCommand(['prove'], {}).settings.reportsDir).toMatch(/reports\/prove$/);
    expect(parseCommand(['prove', '--reports', '/tmp/p'], {}).settings.reportsDir).toBe('/tmp/p');
  });

  it('counts a flaky proof as not proven and a skipped one as not made', () => {
    expect(proofsLine([proof('passed'), proof('passed'), proof('flaky'), proof('failed'), proof('skipped')])).toBe('proofs: 2 proven, 2 not proven, 1 not made here');
  });
});
