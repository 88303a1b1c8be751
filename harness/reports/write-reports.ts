/** Everything a run leaves in its reports directory, written from one run record. */
import path from 'node:path';
import { writeHtmlReport } from './html-report.ts';
import { writeJunit } from './junit.ts';
import { REPORT_FILES } from './layout.ts';
import { writeRunJson } from './run-json.ts';
import type { RunRecord } from './run-record.ts';

export function writeReports(record: RunRecord, reportsDir: string): void {
  writeRunJson(record, path.join(reportsDir, REPORT_FILES.record));
  writeJunit(record, path.join(reportsDir, REPORT_FILES.junit));
  writeHtmlReport(record, path.join(reportsDir, REPORT_FILES.html), reportsDir);
}
