/**
 * run.json: the run record on disk. Reading checks it is one, so a wrong file fails in one line; a
 * record of the previous format (@1, one value per metric) is converted, each value becoming one sample.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RUN_RECORD_FORMAT, type Metric, type RunRecord } from './run-record.ts';

const PREVIOUS_FORMAT = 'microvm-gauntlet/run-record@1';

export class RunRecordError extends Error {
  override name = 'RunRecordError';
}

export function writeRunJson(record: RunRecord, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}

export function readRunJson(file: string): RunRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RunRecordError(`cannot read run record ${file}: ${(error as Error).message}`);
  }
  const format = (parsed as { format?: unknown } | null)?.format;
  if ((format !== RUN_RECORD_FORMAT && format !== PREVIOUS_FORMAT) || !Array.isArray((parsed as RunRecord).parts)) {
    throw new RunRecordError(`${file} is not a run record of this version (format ${JSON.stringify(format)}, expected ${RUN_RECORD_FORMAT} or ${PREVIOUS_FORMAT})`);
  }
  return format === PREVIOUS_FORMAT ? fromPreviousFormat(parsed as RunRecord) : (parsed as RunRecord);
}

interface PreviousMetric {
  value: number;
  unit: string;
  better: Metric['better'];
}

/** @1 → @2: each metric's one value becomes its one sample; nothing else changed. */
function fromPreviousFormat(record: RunRecord): RunRecord {
  for (const attempt of record.parts.flatMap((part) => part.cases).flatMap((entry) => entry.attempts)) {
    const previous = attempt.metrics as unknown as Record<string, PreviousMetric>;
    attempt.metrics = Object.fromEntries(
      Object.entries(previous).map(([name, { value, unit, better }]) => [name, { unit, better, samples: [value] }]),
    );
  }
  return { ...record, format: RUN_RECORD_FORMAT };
}
