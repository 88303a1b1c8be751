/**
 * The last lines of a run or a merge: where its reports are. Printed to stdout in every log, not only
 * on a terminal or under CI: a newcomer's first run, piped to a file, must still end saying where to look.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ARTIFACTS_DIR, REPORT_FILES } from './layout.ts';

export function writtenFilesLines(reportsDir: string): string[] {
  const at = (name: string) => path.join(reportsDir, name);
  const artifacts = at(ARTIFACTS_DIR);
  const files = existsSync(artifacts) ? readdirSync(artifacts, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length : 0;
  return [
    `report page: ${at(REPORT_FILES.html)}`,
    `junit: ${at(REPORT_FILES.junit)}`,
    `run record: ${at(REPORT_FILES.record)}`,
    files > 0 ? `artifacts: ${artifacts}${path.sep} (${files} files)` : `artifacts: none (no case left VM files)`,
  ];
}
