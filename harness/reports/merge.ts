/**
 * Merges the records of `gauntlet run --shard i/n` runs (possibly from different hosts) and of
 * different matrix cells (arch / accelerator / host OS) into one: each keeps its own environment as a
 * part. Within a cell the records must be the shards of one run; across cells the same case is
 * expected. Artifact paths are rebased onto the merged record's directory so the reports written
 * there still link to them.
 */
import path from 'node:path';
import { assembleRecord, caseKey, partsByCell, type RunPart, type RunRecord } from './run-record.ts';
import { RunRecordError } from './run-json.ts';

export interface RecordOnDisk {
  record: RunRecord;
  /** The directory run.json was read from: its artifact paths are relative to it. */
  dir: string;
}

export function mergeRecords(inputs: RecordOnDisk[], outDir: string): RunRecord {
  const parts = inputs.flatMap(({ record, dir }) => record.parts.map((part) => rebaseArtifacts(part, dir, outDir)));
  for (const [cell, partsOfCell] of partsByCell(parts)) {
    checkShards(cell, partsOfCell);
    const seen = new Set<string>();
    for (const entry of partsOfCell.flatMap((part) => part.cases)) {
      const key = caseKey(entry);
      if (seen.has(key)) throw new RunRecordError(`case ${key} is in more than one record of cell ${cell}: merge the shards of one run, not two runs`);
      seen.add(key);
    }
  }
  return assembleRecord(parts);
}

function checkShards(cell: string, parts: RunPart[]): void {
  const counts = new Set(parts.map((part) => part.shard?.count));
  if (counts.size > 1) throw new RunRecordError(`the records of cell ${cell} come from different shardings (${[...counts].map((c) => c ?? 'none').join(', ')})`);
  const indexes = parts.map((part) => part.shard?.index).filter((index) => index !== undefined);
  const repeated = indexes.find((index, at) => indexes.indexOf(index) !== at);
  if (repeated !== undefined) throw new RunRecordError(`shard ${repeated} of cell ${cell} is in more than one record`);
}

function rebaseArtifacts(part: RunPart, fromDir: string, toDir: string): RunPart {
  const rebase = (file: string) => path.relative(toDir, path.resolve(fromDir, file));
  return {
    ...part,
    cases: part.cases.map((entry) => ({
      ...entry,
      attempts: entry.attempts.map((attempt) => ({
        ...attempt,
        artifacts: Object.fromEntries(Object.entries(attempt.artifacts).map(([label, file]) => [label, rebase(file)])),
      })),
    })),
  };
}
