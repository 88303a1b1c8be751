/**
 * Runs vitest in this process for `gauntlet run` and `gauntlet test`: the run is prepared first (image,
 * accelerator, run dir), the workers inherit the settings, the suites run once per `--repeat`, and
 * the reports are written from the folded record. The run dir is swept at the end — also on Ctrl-C
 * or SIGTERM, once the reports of what ran so far and the live VMs' logs are written — so no VMM,
 * socket or overlay outlives the run.
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
import { runTempDir, sweepRunDir } from '../run/run-dir.ts';
import { copyVmLogs } from '../run/vm-logs.ts';
import { GauntletReporter, type CollectedRun } from '../reports/gauntlet-reporter.ts';
import { allCases, assembleRecord, casesFromRepeats, runFailed, summaryLine, type AttemptOfCase, type RunEnvironment, type RunPart, type Shard } from '../reports/run-record.ts';
import { writtenFilesLines } from '../reports/written-files.ts';
import type { GuestArch } from '../contract/run-target.ts';
import { ARTIFACTS_DIR, INTERRUPTED_LOGS_DIR, REPORT_FILES } from '../reports/layout.ts';
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

/**
 * `gauntlet run`: the named suites (all when none), in the one cell the settings describe. A suite
 * may also be one of its test files (`lifecycle/lifecycle.test.ts`), for a measurement that wants a
 * group's cases without the other files of the group running beside them.
 */
export function suiteCell(suites: string[], settings: RunSettings): RunCell {
  const root = process.cwd();
  const unknown = suites.filter((suite) => {
    const [group, file, ...deeper] = suite.split('/');
    if (!knownSuites(root).includes(group!) || deeper.length > 0) return true;
    return file !== undefined && !existsSync(path.join(root, SUITES_DIR, group!, file));
  });
  if (unknown.length > 0) throw new UsageError(`unknown suite: ${unknown.join(', ')} (known: ${knownSuites(root).join(', ')}, or one of their test files as GROUP/FILE)`);
  return { settings, filters: suites.length > 0 ? suites.map((s) => `${SUITES_DIR}/${s.includes('/') ? s : `${s}/`}`) : [`${SUITES_DIR}/`] };
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

/** What a stop must see of the run: the parts that ended, the cell under way, what to sweep. */
interface RunInProgress {
  reportsDir: string;
  runDirs: string[];
  parts: RunPart[];
  /** The previous run's reports are gone: from here on a stop writes this run's. */
  cleared: boolean;
  current?: CellInProgress;
  load?: HostLoad;
  /** Set by the first SIGINT or SIGTERM: writes the reports so far, sweeps, exits. */
  stopping?: Promise<never>;
}

export async function runTests(cells: RunCell[], options: RunOptions = { repeat: 1, shard: undefined, loadCores: 0, cores: undefined }): Promise<number> {
  const run: RunInProgress = { reportsDir: cells[0]!.settings.reportsDir, runDirs: [], parts: [], cleared: false };
  stopOnSignals(run);
  const repeats: CollectedRun[] = [];
  for (const [index, cell] of cells.entries()) {
    if (cells.length > 1) progress(`cell ${cell.settings.arch}`);
    const prepared = await prepareRun(cell.settings, progress);
    run.runDirs.push(prepared.settings.runDir);
    if (index === 0) {
      clearPreviousReports(run.reportsDir);
      run.cleared = true;
    }
    if (options.loadCores > 0 && !run.load) {
      progress(`keeping ${options.loadCores} host core(s) busy for the run (--load)`);
      run.load = startHostLoad(options.loadCores);
    }
    const cellRepeats = await runCell(run, cell, prepared, options);
    // An interrupt killed vitest's workers under this cell: its handler writes the reports and exits.
    if (!cellRepeats) return await run.stopping!;
    repeats.push(...cellRepeats);
    if (cellRepeats.some((collected) => collected.loadErrors.length > 0)) break;
  }
  run.load?.stop();
  return finishRun(run.parts, repeats, run.reportsDir);
}

/**
 * Ctrl-C or a CI timeout: kill the workers and their VMMs first (so none creates a VM after the
 * sweep and the VMs' logs hold still), write what the run has (the cases that ended, the live VMs'
 * logs), then remove everything of the run. The handler stays installed and ignores repeats: a
 * signal to the whole process group (Ctrl-C, `timeout`) reaches a launcher too, which may send it
 * again when this process is slow to answer and exits at once when no listener is left.
 */
function stopOnSignals(run: RunInProgress): void {
  const sweep = () => run.runDirs.forEach((dir) => sweepRunDir(dir));
  process.once('exit', sweep);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(signal, () => {
      if (run.stopping) return;
      run.stopping = (async () => {
        progress(`${signal}: killing workers and VMs, writing the reports so far, removing the run directory`);
        killDescendants();
        run.load?.stop();
        if (run.cleared) await writeStoppedRun(run, signal);
        sweep();
        process.exit(code);
      })();
    });
  }
}

async function writeStoppedRun(run: RunInProgress, signal: string): Promise<void> {
  const logsDir = path.join(run.reportsDir, ARTIFACTS_DIR, INTERRUPTED_LOGS_DIR);
  const kept = run.runDirs.flatMap((dir) => copyVmLogs(dir, logsDir));
  const { current } = run;
  const parts = current ? [...run.parts, cellPart(current, [...current.repeats.map((collected) => collected.cases), await current.collector.finishedSoFar()])] : run.parts;
  const record = assembleRecord(parts);
  writeReports(record, run.reportsDir);
  console.log(
    `stopped by ${signal}: the reports hold the cases that ended (${allCases(record).length}); ` +
      `the logs of the VMs still running (${new Set(kept.map(path.dirname)).size}) are in ${path.join(ARTIFACTS_DIR, INTERRUPTED_LOGS_DIR)}/`,
  );
  for (const line of writtenFilesLines(run.reportsDir)) console.log(line);
}

/**
 * One cell's vitest runs (one per repeat) on its prepared target, folded into its part of the record;
 * undefined when a signal stopped the run midway.
 */
async function runCell(run: RunInProgress, cell: RunCell, prepared: PreparedRun, options: RunOptions): Promise<CollectedRun[] | undefined> {
  const { settings } = prepared;
  Object.assign(process.env, settingsToEnv(settings), targetEnv(prepared.target), { TMPDIR: runTempDir(settings.runDir) });
  const budget = await hostBudget(VM_DEFAULTS.memoryMiB, {
    coresForRun: options.cores,
    waitingWorkers: settings.cold ? 0 : HOST_BUDGET.waitingWorkersWhenRestoring,
  });
  progress(`workers: ${budget.workers} (${budget.reason})`);
  const environment = await describeRunEnvironment(prepared);
  const current: CellInProgress = {
    settings,
    environment,
    options,
    startedAt: new Date(),
    loadAtStart: loadavg()[0]!,
    repeats: [],
    collector: new GauntletReporter(run.reportsDir, caseProgress),
  };
  run.current = current;
  for (let repeat = 1; repeat <= options.repeat; repeat++) {
    if (options.repeat > 1) {
      Object.assign(process.env, targetEnv({ ...prepared.target, repeat }));
      progress(`repeat ${repeat}/${options.repeat}`);
    }
    if (repeat > 1) current.collector = new GauntletReporter(run.reportsDir, caseProgress);
    const collected = await runVitestOnce(current.collector, cell.filters, budget.workers, options.shard).catch((error: unknown) => {
      if (run.stopping) return undefined;
      throw error;
    });
    if (run.stopping) return undefined;
    if (!collected) break;
    current.repeats.push(collected);
    if (collected.loadErrors.length > 0) break;
  }
  sweepRunDir(settings.runDir);
  run.current = undefined;
  if (current.repeats.length === 0) throw new RunNotMadeError('vitest could not start the run (its error is above)');
  run.parts.push(cellPart(current, current.repeats.map((collected) => collected.cases)));
  return current.repeats;
}

/** A cell under way: what its part of the record is made of, also when the run is stopped midway. */
interface CellInProgress {
  settings: RunSettings;
  environment: RunEnvironment;
  options: RunOptions;
  startedAt: Date;
  loadAtStart: number;
  /** The repeats vitest finished. */
  repeats: CollectedRun[];
  /** The reporter of the repeat running now. */
  collector: GauntletReporter;
}

function cellPart(cell: CellInProgress, repeatsCases: AttemptOfCase[][]): RunPart {
  const { settings, options } = cell;
  return {
    ...(options.shard ? { shard: options.shard } : {}),
    seed: settings.seed,
    hostLoadAverage: { atStart: cell.loadAtStart, atEnd: loadavg()[0]! },
    ...(options.loadCores > 0 ? { hostLoadCores: options.loadCores } : {}),
    startedAt: cell.startedAt.toISOString(),
    durationMs: Date.now() - cell.startedAt.getTime(),
    repeats: repeatsCases.length,
    environment: cell.environment,
    cases: casesFromRepeats(repeatsCases),
  };
}

/** The reports written, the run's last lines printed, and its exit code. */
function finishRun(parts: RunPart[], repeats: CollectedRun[], reportsDir: string): number {
  const record = assembleRecord(parts);
  writeReports(record, reportsDir);

  const loadErrors = repeats.flatMap((run) => run.loadErrors);
  if (loadErrors.length > 0) throw new RunNotMadeError(`test files could not be loaded: ${loadErrors[0]}`);
  const unhandled = repeats.flatMap((run) => run.unhandledErrors);
  if (record.totals.flaky > 0) console.log(`flaky: ${record.totals.flaky} (passed and failed across attempts; see the reports)`);
  if (unhandled.length > 0) console.log(`errors outside any test: ${unhandled.length} (first: ${unhandled[0]})`);
  console.log(summaryLine(record.totals));
  for (const line of writtenFilesLines(reportsDir)) console.log(line);
  return runFailed(record.totals) || unhandled.length > 0 ? 1 : 0;
}

async function runVitestOnce(collector: GauntletReporter, filters: string[], workers: number, shard: Shard | undefined): Promise<CollectedRun | undefined> {
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
