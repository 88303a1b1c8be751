/**
 * The matrix of a merged record: a row per case, a column per cell (arch / accelerator / host OS,
 * its shards folded together), each entry the case's outcome in that cell with its note, or nothing
 * where the cell did not run the case. The HTML report draws it; it is plain data so tests read it.
 * Beside it, labelledCases() names each case with its cell, for the lists, plots and comparisons of
 * records that hold a case once per cell.
 */
import { caseKey, countOutcomes, matrixCell, partsByCell, type CaseOutcome, type CaseRecord, type RunRecord } from './run-record.ts';

export interface MatrixColumn {
  /** matrixCell(): "x86_64 / tcg / linux". */
  cell: string;
  /** How many parts (shards) ran in this cell. */
  parts: number;
  totals: Record<CaseOutcome, number>;
}

export interface MatrixEntry {
  outcome: CaseOutcome;
  /** The skip note, or the first failure message of a failed or flaky case. */
  note?: string;
}

export interface MatrixRow {
  /** caseKey(): "group › id". */
  key: string;
  /** One per column, in the columns' order; undefined where that cell did not run the case. */
  entries: (MatrixEntry | undefined)[];
}

export interface CaseMatrix {
  columns: MatrixColumn[];
  /** Cases in the order they first appear across the record's parts. */
  rows: MatrixRow[];
}

export function caseMatrix(record: RunRecord): CaseMatrix {
  const cells = [...partsByCell(record.parts)];
  const rows = new Map<string, MatrixRow>();
  cells.forEach(([, parts], column) => {
    for (const entry of parts.flatMap((part) => part.cases)) {
      const key = caseKey(entry);
      const row = rows.get(key) ?? { key, entries: cells.map(() => undefined) };
      row.entries[column] = { outcome: entry.outcome, note: caseNote(entry) };
      rows.set(key, row);
    }
  });
  return {
    columns: cells.map(([cell, parts]) => ({ cell, parts: parts.length, totals: countOutcomes(parts.flatMap((part) => part.cases)) })),
    rows: [...rows.values()],
  };
}

export interface LabelledCase {
  entry: CaseRecord;
  /** caseKey(), followed by the cell when asked: "balloon › inflate · aarch64 / tcg / linux". */
  label: string;
}

/**
 * Every case of the record with a label that tells the cells apart, for the lists and plots beside
 * the matrix and for matching cases between records. `withCell` defaults to whether the record spans
 * several cells; a comparison sets it for both records when either does.
 */
export function labelledCases(record: RunRecord, withCell = spansCells(record)): LabelledCase[] {
  return record.parts.flatMap((part) =>
    part.cases.map((entry) => ({ entry, label: withCell ? `${caseKey(entry)} · ${matrixCell(part.environment)}` : caseKey(entry) })),
  );
}

export function spansCells(record: RunRecord): boolean {
  return partsByCell(record.parts).size > 1;
}

function caseNote(entry: CaseRecord): string | undefined {
  if (entry.outcome === 'passed') return undefined;
  if (entry.outcome === 'skipped') return entry.attempts[0]?.message;
  const failure = entry.attempts.find((attempt) => attempt.outcome === 'failed');
  return failure ? (failure.message ?? 'failed') : 'passed only after a retry';
}
