import { describe, expect, it } from 'vitest';
import { caseMatrix } from '../../harness/reports/matrix.ts';
import { AARCH64_BALLOON_SKIP, matrixRecord, sampleRecord, X86_BALLOON_FAILURE } from './fixtures/sample-record.ts';

describe('case matrix', () => {
  const matrix = caseMatrix(matrixRecord());

  it('has a column per cell, labelled arch / accelerator / host OS, with the shards of a cell folded into one', () => {
    expect(matrix.columns.map((column) => [column.cell, column.parts])).toEqual([
      ['x86_64 / tcg / linux', 2],
      ['aarch64 / tcg / linux', 1],
    ]);
    expect(matrix.columns.map((column) => column.totals)).toEqual([
      { passed: 3, failed: 1, flaky: 0, skipped: 1 },
      { passed: 1, failed: 0, flaky: 1, skipped: 2 },
    ]);
  });

  it('has a row per case, each entry the outcome in that cell with its note, nothing where the cell did not run it', () => {
    const outcomes = matrix.rows.map((row) => [row.key, ...row.entries.map((entry) => entry?.outcome ?? '—')]);
    expect(outcomes).toEqual([
      ['lifecycle › boot-to-ready', 'passed', 'passed'],
      ['lifecycle › stop-start-preserves-disk', 'skipped', 'skipped'],
      ['balloon › inflate-reduces-available', 'failed', 'skipped'],
      ['disk › fill-delete-cycles', 'passed', '—'],
      ['agent › exec-echo', 'passed', 'flaky'],
    ]);
    const balloon = matrix.rows.find((row) => row.key === 'balloon › inflate-reduces-available')!;
    expect(balloon.entries.map((entry) => entry?.note)).toEqual([X86_BALLOON_FAILURE, AARCH64_BALLOON_SKIP]);
    const agent = matrix.rows.find((row) => row.key === 'agent › exec-echo')!;
    expect(agent.entries.map((entry) => entry?.note)).toEqual([undefined, 'passed only after a retry']);
  });

  it('gives a record of one cell one column, whatever its repeats', () => {
    const single = caseMatrix(sampleRecord());
    expect(single.columns.map((column) => column.cell)).toEqual(['x86_64 / tcg / linux']);
    expect(single.rows.every((row) => row.entries.length === 1 && row.entries[0] !== undefined)).toBe(true);
    const flaky = single.rows.find((row) => row.key === 'balloon › inflate-reduces-available')!;
    expect(flaky.entries[0]).toEqual({ outcome: 'flaky', note: 'MemAvailable fell by 10 MiB, expected 64' });
  });
});
