/**
 * `gauntlet prove [suite...]`: the fault tests, run against the selected runtime, arch and
 * accelerator, so a cell shows its own proofs rather than trusting the ones made here. Each must see
 * its fault turn its named claim red; a proof the runtime cannot make (it does not offer the fault)
 * is not a pass either, so the exit is 0 only when every proof held.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RunSettings } from '../config/settings.ts';
import { readRunJson } from '../reports/run-json.ts';
import { REPORT_FILES } from '../reports/layout.ts';
import { allCases, type CaseRecord } from '../reports/run-record.ts';
import { UsageError, type RunOptions } from './args.ts';
import { EXIT } from './exit-codes.ts';
import { knownSuites, runTests, type RunCell } from './run-vitest.ts';

const FAULTS_DIR = 'test/faults';

/** The fault test files of the named suites (all when none). */
export function proofCell(suites: string[], settings: RunSettings): RunCell {
  const root = process.cwd();
  const withProofs = knownSuites(root).filter((suite) => existsSync(path.join(root, FAULTS_DIR, `${suite}.test.ts`)));
  const unknown = suites.filter((suite) => !withProofs.includes(suite));
  if (unknown.length > 0) throw new UsageError(`no fault tests for: ${unknown.join(', ')} (suites with fault tests: ${withProofs.join(', ')})`);
  return { settings, filters: suites.length > 0 ? suites.map((suite) => `${FAULTS_DIR}/${suite}.test.ts`) : [`${FAULTS_DIR}/`] };
}

export async function proveCommand(suites: string[], settings: RunSettings, options: RunOptions): Promise<number> {
  const code = await runTests([proofCell(suites, settings)], options);
  const proofs = allCases(readRunJson(path.join(settings.reportsDir, REPORT_FILES.record)));
  console.log(proofsLine(proofs));
  const notMade = proofs.filter((proof) => proof.outcome === 'skipped');
  for (const proof of notMade) console.log(`not made here: ${proof.id}: ${proof.attempts[0]?.message ?? 'skipped'}`);
  return code === EXIT.passed && notMade.length > 0 ? EXIT.failed : code;
}

/** "proofs: N proven, N not proven, N not made here": a flaky proof is not proven. */
export function proofsLine(proofs: CaseRecord[]): string {
  const count = (...outcomes: CaseRecord['outcome'][]) => proofs.filter((proof) => outcomes.includes(proof.outcome)).length;
  return `proofs: ${count('passed')} proven, ${count('failed', 'flaky')} not proven, ${count('skipped')} not made here`;
}
