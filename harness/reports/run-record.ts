/**
 * The run record: the small public result model every report is written from (run.json is this,
 * serialised). A record holds one part per `gauntlet run` that went into it (one, or one per merged
 * shard); a part holds its environment and its cases; a case holds one attempt per `--repeat`.
 */
import type { HostFacts } from '../host/facts.ts';
import type { RunTarget } from '../contract/run-target.ts';
import type { AssertionId } from '../contract/assertion.ts';

/**
 * @3: the environment names the runtime and its VMM in words any runtime fills (`vmm`, `vmmVersion`,
 * `vmmBinary`, `tools`) where @2 had the reference runtime's own field names; @2: a metric
 * holds every sample taken under its name (@1 held one value). run-json.ts converts older records.
 */
export const RUN_RECORD_FORMAT = 'microvm-gauntlet/run-record@3';

export type AttemptOutcome = 'passed' | 'failed' | 'skipped';
/** A case is flaky when it both passed and failed across its attempts, or passed only on a retry. */
export type CaseOutcome = AttemptOutcome | 'flaky';
export type BetterDirection = 'lower' | 'higher';

/**
 * A measured quantity under a stable name (never a measured or random value in it: a target goes
 * into a series), with every sample the attempt took: each boot, each exec, each balloon move.
 */
export interface Metric {
  unit: string;
  /** Which way is an improvement, so a comparison can tell a regression from a win. */
  better: BetterDirection;
  samples: number[];
}

export interface SeriesPoint {
  /** Milliseconds since the series started. */
  atMs: number;
  value: number;
}

export interface Series {
  unit: string;
  points: SeriesPoint[];
}

export interface CaseAttempt {
  outcome: AttemptOutcome;
  durationMs: number;
  /** vitest retries inside this attempt. */
  retries: number;
  /** Why it failed, or the note of a skip. */
  message?: string;
  metrics: Record<string, Metric>;
  series: Record<string, Series>;
  /** What was kept (e.g. "vm-1: serial console") → path relative to the directory holding run.json. */
  artifacts: Record<string, string>;
  /** The last lines of each kept serial console, by the artifact's label. */
  consoleTails: Record<string, string>;
  /** Where the harness did otherwise than the case asked, and why (a VM that asked to be restored and booted cold). */
  notes?: string[];
  /** The named claim (`<case>/<what>`) whose failure failed this attempt; absent when no named claim failed. */
  failedAssertion?: AssertionId;
  /** For a fault test: the fault, and the claim it must turn red (it passed only if that claim was the one that failed). */
  proof?: { fault: string; assertion: AssertionId };
}

export interface CaseRecord {
  /** Catalogue group (the describe block), e.g. "balloon". */
  group: string;
  /** Catalogue id (the test name), e.g. "inflate-reduces-available". */
  id: string;
  file: string;
  outcome: CaseOutcome;
  /** One per repeat, in order. */
  attempts: CaseAttempt[];
}

/**
 * The run target as a record keeps it: read back from records of other versions and runtimes, so the
 * accelerator and arch are whatever they wrote, and tools may be missing.
 */
export interface RecordedTarget extends Omit<RunTarget, 'accelerator' | 'arch' | 'tools'> {
  accelerator: string;
  arch: string;
  tools?: RunTarget['tools'];
}

export interface RunEnvironment extends RecordedTarget {
  guestKernel: string;
  /** The Debian kernel package the guest kernel came from, and its version (absent for a --kernel of the user's). */
  kernelPackage?: string;
  kernelPackageVersion?: string;
  /** The image's cache key: the recipe hash, including the kernel package and version when one was chosen. */
  imageHash: string;
  host: HostFacts;
}

export interface Shard {
  index: number;
  count: number;
}

export interface RunPart {
  shard?: Shard;
  /** The seed of the run's random choices (the balloon soak's targets): the same seed, the same run. */
  seed?: number;
  /** The host's 1-minute load average when the part started and ended: timings compare fairly only under like load. */
  hostLoadAverage?: { atStart: number; atEnd: number };
  /** Host cores kept busy by `--load` during this part (absent: none). */
  hostLoadCores?: number;
  startedAt: string;
  durationMs: number;
  repeats: number;
  environment: RunEnvironment;
  cases: CaseRecord[];
}

export interface RunRecord {
  format: typeof RUN_RECORD_FORMAT;
  totals: Record<CaseOutcome, number>;
  parts: RunPart[];
}

/** One attempt of one case, as a single vitest run reports it. */
export interface AttemptOfCase {
  group: string;
  id: string;
  file: string;
  attempt: CaseAttempt;
}

export function assembleRecord(parts: RunPart[]): RunRecord {
  return { format: RUN_RECORD_FORMAT, totals: countOutcomes(parts.flatMap((part) => part.cases)), parts };
}

/** Folds the attempts of N repeats into cases, in the order the cases first ran. */
export function casesFromRepeats(repeats: AttemptOfCase[][]): CaseRecord[] {
  const cases = new Map<string, CaseRecord>();
  for (const { group, id, file, attempt } of repeats.flat()) {
    const key = caseKey({ group, id, file });
    const existing = cases.get(key) ?? { group, id, file, outcome: attempt.outcome, attempts: [] };
    existing.attempts.push(attempt);
    cases.set(key, existing);
  }
  for (const entry of cases.values()) entry.outcome = caseOutcome(entry.attempts);
  return [...cases.values()];
}

export function caseOutcome(attempts: CaseAttempt[]): CaseOutcome {
  const passed = attempts.some((attempt) => attempt.outcome === 'passed');
  const failed = attempts.some((attempt) => attempt.outcome === 'failed');
  const passedOnRetry = attempts.some((attempt) => attempt.outcome === 'passed' && attempt.retries > 0);
  if (passed && (failed || passedOnRetry)) return 'flaky';
  if (failed) return 'failed';
  return passed ? 'passed' : 'skipped';
}

/** Identifies a case across runs and shards. */
export function caseKey(entry: Pick<CaseRecord, 'group' | 'id' | 'file'>): string {
  return `${entry.group || entry.file} › ${entry.id}`;
}

export function allCases(record: RunRecord): CaseRecord[] {
  return record.parts.flatMap((part) => part.cases);
}

export function countOutcomes(cases: CaseRecord[]): Record<CaseOutcome, number> {
  const totals: Record<CaseOutcome, number> = { passed: 0, failed: 0, flaky: 0, skipped: 0 };
  for (const entry of cases) totals[entry.outcome]++;
  return totals;
}

/** A flaky case counts as a failure: a runtime that sometimes loses the balloon is broken. */
export function runFailed(totals: Record<CaseOutcome, number>): boolean {
  return totals.failed + totals.flaky > 0;
}

/** The closing line CI looks for; flaky cases are among the failed. */
export function summaryLine(totals: Record<CaseOutcome, number>): string {
  return `tests: ${totals.passed} passed, ${totals.failed + totals.flaky} failed, ${totals.skipped} skipped`;
}

/** Rates (MiB/s, ops/s) improve upwards; times, sizes and footprints downwards. */
export function defaultBetter(unit: string): BetterDirection {
  return unit.endsWith('/s') ? 'higher' : 'lower';
}

/** Every sample of each metric name across these cases and their attempts, in run order: what a comparison pools. */
export function metricSamples(...cases: CaseRecord[]): Map<string, Metric> {
  const pooled = new Map<string, Metric>();
  for (const attempt of cases.flatMap((entry) => entry.attempts)) {
    for (const [name, metric] of Object.entries(attempt.metrics)) {
      const existing = pooled.get(name) ?? { unit: metric.unit, better: metric.better, samples: [] };
      existing.samples.push(...metric.samples);
      pooled.set(name, existing);
    }
  }
  return pooled;
}

export function caseDurationMs(entry: CaseRecord): number {
  return entry.attempts.reduce((total, attempt) => total + attempt.durationMs, 0);
}

/**
 * The matrix cell a part ran in, "x86_64 / tcg / linux": its identity (shards of one cell share it,
 * so merges, the HTML matrix and JUnit suites group by it) and its label, one string for both.
 */
export function matrixCell(environment: RunEnvironment): string {
  return `${environment.arch} / ${environment.accelerator} / ${environment.host.platform}`;
}

/** The parts of each matrix cell (a cell's shards together), cells in the order they first appear. */
export function partsByCell(parts: RunPart[]): Map<string, RunPart[]> {
  const cells = new Map<string, RunPart[]>();
  for (const part of parts) {
    const cell = matrixCell(part.environment);
    cells.set(cell, [...(cells.get(cell) ?? []), part]);
  }
  return cells;
}

/** The environment as flat name → text pairs ("host.cpuModel"), for JUnit properties and tables. */
export function environmentFacts(environment: RunEnvironment): Record<string, string> {
  const facts: Record<string, string> = {};
  const add = (value: object, prefix: string) => {
    for (const [name, inner] of Object.entries(value)) {
      if (inner !== null && typeof inner === 'object') add(inner, `${prefix}${name}.`);
      else if (inner !== undefined) facts[`${prefix}${name}`] = String(inner);
    }
  };
  add(environment, '');
  return facts;
}

/** A part's environment plus how it ran (repeats, shard): JUnit properties and the report's table. */
export function partFacts(part: RunPart): Record<string, string> {
  return {
    ...environmentFacts(part.environment),
    repeats: String(part.repeats),
    ...(part.seed !== undefined ? { seed: String(part.seed) } : {}),
    ...(part.hostLoadAverage ? { hostLoadAverage: describeLoad(part.hostLoadAverage) } : {}),
    ...(part.hostLoadCores ? { hostLoadCores: String(part.hostLoadCores) } : {}),
    ...(part.shard ? { shard: `${part.shard.index}/${part.shard.count}` } : {}),
  };
}

/** "5.68 → 4.10" */
export function describeLoad(load: NonNullable<RunPart['hostLoadAverage']>): string {
  return `${load.atStart.toFixed(2)} → ${load.atEnd.toFixed(2)}`;
}
