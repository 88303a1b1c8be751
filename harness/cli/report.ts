/** `gauntlet report run.json [-o index.html]`: the HTML report of a recorded run, again or elsewhere. */
import path from 'node:path';
import { writeHtmlReport } from '../reports/html-report.ts';
import { REPORT_FILES } from '../reports/layout.ts';
import { readRunJson } from '../reports/run-json.ts';

export function reportCommand(recordFile: string, output: string | undefined): number {
  const recordDir = path.dirname(path.resolve(recordFile));
  const target = path.resolve(output ?? path.join(recordDir, REPORT_FILES.html));
  writeHtmlReport(readRunJson(recordFile), target, recordDir);
  console.log(`wrote ${target}`);
  return 0;
}
