/**
 * vitest reporter that turns one vitest run into case attempts (with the metrics, series and
 * artifacts the cases attached) and notes what kept the run from being made: test files that could
 * not be loaded, errors outside any test. `gauntlet run` folds the attempts of its repeats into the
 * run record and writes the reports from it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { failedAssertionOf } from '../contract/assertion.ts';
import { REPORTS } from './limits.ts';
import type { AttemptOfCase, AttemptOutcome, CaseAttempt, Metric, Series } from './run-record.ts';

export interface CollectedRun {
  cases: AttemptOfCase[];
  /** Test files that failed to load (syntax or import errors): the build under test is broken. */
  loadErrors: string[];
  /** Errors thrown outside any test, e.g. in a teardown; they fail the run. */
  unhandledErrors: string[];
}

/** What the fixtures put into a test's meta (harness/vitest/vm-test.ts). */
interface CaseMeta {
  metrics?: Record<string, Metric>;
  series?: Record<string, Series>;
  artifacts?: Record<string, string>;
  notes?: string[];
  proof?: CaseAttempt['proof'];
}

export class GauntletReporter implements Reporter {
  /** Set once vitest finished the run; undefined when it never got that far. */
  collected: CollectedRun | undefined;
  /** The cases that ended so far: what an interrupted run still reports of its last repeat. */
  private readonly finished: TestCase[] = [];

  /**
   * @param reportsDir where the fixtures copied the artifacts (their paths are relative to it)
   * @param onCaseFinished told of each case as it ends, for progress while a long suite runs
   */
  constructor(
    private readonly reportsDir: string,
    private readonly onCaseFinished: (line: string) => void = () => {},
  ) {}

  onTestCaseResult(testCase: TestCase): void {
    const seconds = ((testCase.diagnostic()?.duration ?? 0) / 1000).toFixed(1);
    this.onCaseFinished(`${testCase.result().state} ${testCase.fullName} (${seconds} s)`);
    this.finished.push(testCase);
  }

  /** The attempts of the cases that ended before the run was stopped (the run is not finished). */
  async finishedSoFar(): Promise<AttemptOfCase[]> {
    return Promise.all(this.finished.map((testCase) => this.attemptOf(testCase)));
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<{ message?: string }>): Promise<void> {
    const tests = modules.flatMap((module) => [...module.children.allTests()]);
    this.collected = {
      cases: await Promise.all(tests.map((testCase) => this.attemptOf(testCase))),
      loadErrors: modules.flatMap((module) => module.errors().map((error) => `${module.relativeModuleId}: ${error.message}`)),
      unhandledErrors: unhandledErrors.map((error) => error.message ?? String(error)),
    };
  }

  private async attemptOf(testCase: TestCase): Promise<AttemptOfCase> {
    const result = testCase.result();
    const diagnostic = testCase.diagnostic();
    const meta = testCase.meta() as CaseMeta;
    const outcome: AttemptOutcome = result.state === 'passed' ? 'passed' : result.state === 'failed' ? 'failed' : 'skipped';
    const message =
      result.state === 'failed' ? result.errors.map((error) => error.message).join('\n') : result.state === 'skipped' ? result.note : undefined;
    const artifacts = meta.artifacts ?? {};
    const failedAssertion = result.state === 'failed' ? result.errors.map((error) => failedAssertionOf(error.message)).find(Boolean) : undefined;
    const attempt: CaseAttempt = {
      outcome,
      durationMs: Math.round(diagnostic?.duration ?? 0),
      retries: diagnostic?.retryCount ?? 0,
      ...(message ? { message } : {}),
      metrics: meta.metrics ?? {},
      series: meta.series ?? {},
      artifacts,
      consoleTails: await this.consoleTails(artifacts),
      ...(meta.notes?.length ? { notes: meta.notes } : {}),
      ...(failedAssertion ? { failedAssertion } : {}),
      ...(meta.proof ? { proof: meta.proof } : {}),
    };
    return {
      group: testCase.parent.type === 'suite' ? testCase.parent.fullName : '',
      id: testCase.name,
      file: testCase.module.relativeModuleId,
      attempt,
    };
  }

  /** The tails go into the record so JUnit and HTML need no files: merged shards come from other hosts. */
  private async consoleTails(artifacts: Record<string, string>): Promise<Record<string, string>> {
    const tails: Record<string, string> = {};
    for (const [label, file] of Object.entries(artifacts)) {
      if (!/console/i.test(label)) continue;
      const text = await readFile(path.join(this.reportsDir, file), 'utf8').catch(() => undefined);
      if (text !== undefined) tails[label] = lastLines(text, REPORTS.consoleTailLines);
    }
    return tails;
  }
}

/** For people: terminal colour codes and other control characters would only garble the reports. */
function lastLines(text: string, count: number): string {
  const plain = text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/[^\P{Cc}\n\t]/gu, '');
  return plain.trimEnd().split('\n').slice(-count).join('\n');
}
