/** `gauntlet merge A.json B.json...`: one record (and its JUnit and HTML) from the shards of a run. */
import path from 'node:path';
import type { RunSettings } from '../config/settings.ts';
import { REPORT_FILES } from '../reports/layout.ts';
import { mergeRecords } from '../reports/merge.ts';
import { readRunJson } from '../reports/run-json.ts';
import { summaryLine } from '../reports/run-record.ts';
import { writeReports } from '../reports/write-reports.ts';

export function mergeCommand(files: string[], settings: RunSettings): number {
  const inputs = files.map((file) => ({ record: readRunJson(file), dir: path.dirname(path.resolve(file)) }));
  const record = mergeRecords(inputs, settings.reportsDir);
  writeReports(record, settings.reportsDir);
  console.log(`merged ${files.length} records into ${path.join(settings.reportsDir, REPORT_FILES.record)}: ${summaryLine(record.totals)}`);
  return 0;
}
