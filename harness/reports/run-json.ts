/** run.json: the run record on disk. Reading checks it is one, so a wrong file fails in one line. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RUN_RECORD_FORMAT, type RunRecord } from './run-record.ts';

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
  if (format !== RUN_RECORD_FORMAT || !Array.isArray((parsed as RunRecord).parts)) {
    throw new RunRecordError(`${file} is not a run record of this version (format ${JSON.stringify(format)}, expected ${RUN_RECORD_FORMAT})`);
  }
  return parsed as RunRecord;
}
