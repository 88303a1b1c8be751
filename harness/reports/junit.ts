/**
 * JUnit XML with junit-report-builder (vitest's own JUnit reporter drops skip notes): one testsuite
 * per catalogue group and part, named by its matrix cell as the HTML matrix labels it
 * ("lifecycle [x86_64 / tcg / linux] shard 1/2"), the environment as properties, failures with the
 * serial console's tail, artifacts as attachment lines.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import junitModule, { type Builder } from 'junit-report-builder';
import { caseDurationMs, matrixCell, partFacts, type CaseAttempt, type CaseRecord, type RunPart, type RunRecord } from './run-record.ts';

// The package is CommonJS whose module.exports is the builder; its typings describe an ES default.
const junitBuilder = junitModule as unknown as Builder;

export function writeJunit(record: RunRecord, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, junitXml(record));
}

export function junitXml(record: RunRecord): string {
  const builder = junitBuilder.newBuilder();
  for (const part of record.parts) {
    for (const [group, cases] of groupCases(part.cases)) {
      const suite = builder
        .testSuite()
        .name(suiteName(group, part))
        .timestamp(part.startedAt)
        .time(cases.reduce((total, entry) => total + caseDurationMs(entry), 0) / 1000);
      for (const [name, value] of Object.entries(partFacts(part))) suite.property(name, value);
      for (const entry of cases) {
        const testCase = suite
          .testCase()
          .className(`${group}.${matrixCell(part.environment)}`)
          .name(entry.id)
          .file(entry.file)
          .time(caseDurationMs(entry) / 1000);
        const failed = entry.attempts.filter((attempt) => attempt.outcome === 'failed');
        for (const [name, value] of Object.entries(claimProperties(entry))) testCase.property(name, value);
        if (entry.outcome === 'failed' || entry.outcome === 'flaky') {
          testCase.failure(failureMessage(entry, failed), entry.outcome).stacktrace(cdataText(failureDetail(failed)));
        }
        if (entry.outcome === 'skipped') testCase.skipped().standardOutput(cdataText(`skipped: ${entry.attempts[0]?.message ?? 'no note'}`));
        const attachments = entry.attempts.flatMap((attempt) => Object.entries(attempt.artifacts));
        if (attachments.length > 0) testCase.standardError(cdataText(attachments.map(([label, file]) => `[[ATTACHMENT|${file}]] ${label}`).join('\n')));
      }
    }
  }
  return builder.build();
}

function groupCases(cases: CaseRecord[]): Map<string, CaseRecord[]> {
  const groups = new Map<string, CaseRecord[]>();
  for (const entry of cases) {
    const group = entry.group || entry.file;
    groups.set(group, [...(groups.get(group) ?? []), entry]);
  }
  return groups;
}

function suiteName(group: string, part: RunPart): string {
  const shard = part.shard ? ` shard ${part.shard.index}/${part.shard.count}` : '';
  return `${group} [${matrixCell(part.environment)}]${shard}`;
}

/** Which named claims the case's failures broke, and for a fault test the claim it must turn red. */
function claimProperties(entry: CaseRecord): Record<string, string> {
  const failedAssertions = [...new Set(entry.attempts.flatMap((attempt) => (attempt.failedAssertion ? [attempt.failedAssertion] : [])))];
  const proof = entry.attempts.find((attempt) => attempt.proof)?.proof;
  return {
    ...(failedAssertions.length > 0 ? { 'failed-assertion': failedAssertions.join(' ') } : {}),
    ...(proof ? { fault: proof.fault, proves: proof.assertion } : {}),
  };
}

function failureMessage(entry: CaseRecord, failed: CaseAttempt[]): string {
  const first = failed[0]?.message ?? 'failed';
  if (entry.outcome === 'flaky') {
    return failed.length > 0
      ? `flaky: failed ${failed.length} of ${entry.attempts.length} attempts: ${first}`
      : `flaky: passed only after a retry (${entry.attempts.map((attempt) => attempt.retries).join(', ')} retries)`;
  }
  return entry.attempts.length > 1 ? `failed ${failed.length} of ${entry.attempts.length} attempts: ${first}` : first;
}

function failureDetail(failed: CaseAttempt[]): string {
  return failed
    .map((attempt) =>
      [attempt.message ?? 'failed', ...Object.entries(attempt.consoleTails).map(([label, tail]) => `--- ${label} (last lines) ---\n${tail}`)].join('\n'),
    )
    .join('\n\n');
}

/** xmlbuilder 15 splits only the first "]]>" of a CDATA section; a second one (consoles are arbitrary text) would end it. */
function cdataText(text: string): string {
  return text.replaceAll(']]>', ']] >');
}
