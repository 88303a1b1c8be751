/**
 * Runs vitest in this process for `gauntlet run` and `gauntlet test`: the run is prepared first (image,
 * accelerator, run dir), the workers inherit the settings, the suites run once per `--repeat`, and
 * the reports are written from the folded record. The run dir is swept at the end — also on Ctrl-C,
 * so no VMM, socket or overlay outlives the run.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { startVitest } from 'vitest/node';
import { targetEnv } from '../config/prepared-env.ts';
import { settingsToEnv, type RunSettings } from '../config/settings.ts';
import { HOST_BUDGET, hostBudget } from '../host/budget.ts';
import { prepareRun, type PreparedRun } from '../run/prepare.ts';
import { describeRunEnvironment } from '../run/run-environment.ts';
import { startHostLoad, type HostLoad } from '../run/host-load.ts';
import { killDescendants } from '../run/process-tree.ts';
import { sweepRunDir } from '../run/run-dir.ts';
import { GauntletReporter, type CollectedRun } from '../reports/gauntlet-reporter.ts';
import { assembleRecord, casesFromRepeats, runFailed, summaryLine, type RunPart, type Shard } from '../reports/run-record.ts';
import type { GuestArch } from '../contract/run-target.ts';
import { ARTIFACTS_DIR, REPORT_FILES } from '../reports/layout.ts';
import { writeReports } from '../reports/write-reports.ts';
import { VM_DEFAULTS } from '../config/constants.ts';
import { UsageError, type RunOptions } from './args.ts';
import { caseProgress, progress } from './progress.ts';

const SUITES_DIR = 'suites';

/** The run itself could not be made (test files that do not load, vitest that cannot start): not a verdict on the runtime. */
export class RunNotMadeError extends Error {
  override name = 'RunNotMadeError';
}

export function knownSuites(root: string): string[] {
  const dir = path.join(root, SUITES_DIR);
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];
}

/** One cell of a run: the settings it runs with and the test files it runs (vitest filters). */
export interface RunCell {
  settings: RunSettings;
  filters: string[];
}

/** `gauntlet run`: the named suites (all when none), in the one cell the settings describe. */
export function suiteCell(suites: string[], settings: RunSettings): RunCell {
  const root = process.cwd();
  const unknown = suites.filter((suite) => !knownSuites(root).includes(suite));
  if (unknown.length > 0) throw new UsageError(`unknown suite: ${unknown.join(', ')} (known: ${knownSuites(root).join(', ')})`);
  return { settings, filters: suites.length > 0 ? suites.map((s) => `${SUITES_DIR}/${s}/`) : [`${SUITES_DIR}/`] };
}

/**
 * `gauntlet test`: unit tests, suites and fault tests on the first architecture, then the suites on
 * each other one, so one command proves every guest architecture this host can run.
 */
export function testCells(settings: RunSettings, arches: GuestArch[]): RunCell[] {
  return arches.map((arch, index) =>
    index === 0 ? { settings, filters: [] } : { settings: { ...settings, arch, machine: undefined }, filters: [`${SUITES_DIR}/`] },
  );
}

export async function runTests(cells: RunCell[], options: RunOptions = { repeat: 1, shard: undefined, loadCores: 0, cores: undefined }): Promise<number> {
  const runDirs: string[] = [];
  sweepOnExit(() => runDirs.forEach((dir) => sweepRunDir(dir)));
  const reportsDir = cells[0]!.settings.reportsDir;
  let load: HostLoad | undefined;
  const parts: RunPart[] = [];
  const repeats: CollectedRun[] = [];
  for (const [index, cell] of cells.entries()) {
    if (cells.length > 1) progress(`cell ${cell.settings.arch}`);
    const prepared = await prepareRun(cell.settings, progress);
    runDirs.push(prepared.settings.runDir);
    if (index === 0) clearPreviousReports(reportsDir);
    if (options.loadCores > 0 && !load) {
      progress(`keeping ${options.loadCores} host core(s) busy for the run (--load)`);
      load = startHostLoad(options.loadCores);
    }
    const { part, cellRepeats } = await runCell(cell, prepared, reportsDir, options);
    repeats.push(...cellRepeats);
    parts.push(part);
    if (cellRepeats.some((run) => run.loadErrors.length > 0)) break;
  }
  load?.stop();
  return finishRun(parts, repeats, reportsDir);
}

/** Ctrl-C or a CI timeout: kill the workers and their VMMs first (so none creates a VM after the sweep), then remove everything of the run. */
function sweepOnExit(sweep: () => void): void {
  process.once('exit', sweep);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      progress(`${signal}: killing workers and VMs, removing the run directory`);
      killDescendants();
      sweep();
      process.exit(code);
    });
  }
}

/** One cell's vitest runs (one per repeat) on its prepared target, folded into its part of the record. */
async function runCell(cell: RunCell, prepared: PreparedRun, reportsDir: string, options: RunOptions): Promise<{ part: RunPart; cellRepeats: CollectedRun[] }> {
  const { settings } = prepared;
  Object.assign(process.env, settingsToEnv(settings), targetEnv(prepared.target));
  const budget = await hostBudget(VM_DEFAULTS.memoryMiB, {
    coresForRun: options.cores,
    waitingWorkers: settings.cold ? 0 : HOST_BUDGET.waitingWorkersWhenRestoring,
  });
  progress(`workers: ${budget.workers} (${budget.reason})`);
  const environment = await describeRunEnvironment(prepared);
  const startedAt = new Date();
  const loadAtStart = loadavg()[0]!;
  const cellRepeats: CollectedRun[] = [];
  for (let repeat = 1; repeat <= options.repeat; repeat++) {
    if (options.repeat > 1) {
      Object.assign(process.env, targetEnv({ ...prepared.target, repeat }));
      progress(`repeat ${repeat}/${options.repeat}`);
    }
    const collected = await runVitestOnce(cell.filters, reportsDir, budget.workers, options.shard);
    if (!collected) break;
    cellRepeats.push(collected);
    if (collected.loadErrors.length > 0) break;
  }
  sweepRunDir(settings.runDir);
  if (cellRepeats.length === 0) throw new RunNotMadeError('vitest could not start the run (its error is above)');
  const part: RunPart = {
    ...(options.shard ? { shard: options.shard } : {}),
    seed: settings.seed,
    hostLoadAverage: { atStart: loadAtStart, atEnd: loadavg()[0]! },
    ...(options.loadCores > 0 ? { hostLoadCores: options.loadCores } : {}),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    repeats: cellRepeats.length,
    environment,
    cases: casesFromRepeats(cellRepeats.map((run) => run.cases)),
  };
  return { part, cellRepeats };
}

/** The reports written, the run's last lines printed, and its exit code. */
function finishRun(parts: RunPart[], repeats: CollectedRun[], reportsDir: string): number {
  const record = assembleRecord(parts);
  writeReports(record, reportsDir);
  progress(`reports written to ${reportsDir}/ (${Object.values(REPORT_FILES).join(', ')})`);

  const loadErrors = repeats.flatMap((run) => run.loadErrors);
  if (loadErrors.length > 0) throw new RunNotMadeError(`test files could not be loaded: ${loadErrors[0]}`);
  const unhandled = repeats.flatMap((run) => run.unhandledErrors);
  if (record.totals.flaky > 0) console.log(`flaky: ${record.totals.flaky} (passed and failed across attempts; see the reports)`);
  if (unhandled.length > 0) console.log(`errors outside any test: ${unhandled.length} (first: ${unhandled[0]})`);
  console.log(summaryLine(record.totals));
  return runFailed(record.totals) || unhandled.length > 0 ? 1 : 0;
}

async function runVitestOnce(filters: string[], reportsDir: string, workers: number, shard: Shard | undefined): Promise<CollectedRun | undefined> {
  const collector = new GauntletReporter(reportsDir, caseProgress);
  const vitest = await startVitest('test', filters, {
    watch: false,
    maxWorkers: workers,
    reporters: ['default', collector],
    // A shard of a small selection may hold no test file; that shard then has nothing to report.
    ...(shard ? { shard: `${shard.index}/${shard.count}`, passWithNoTests: true } : {}),
  });
  await vitest.close();
  return collector.collected;
}

/** A run that cannot be made must not leave the previous run's reports looking like its own. */
function clearPreviousReports(reportsDir: string): void {
  for (const name of [...Object.values(REPORT_FILES), ARTIFACTS_DIR]) rmSync(path.join(reportsDir, name), { recursive: true, force: true });
}
