/**
 * `gauntlet bench`: the harness's own speed (raw boot, cold and restored create, exec round trips,
 * the harness's share of the CPU) from one run, printed and written as a run record, so two harness
 * builds compare with `gauntlet compare` like two VMM builds.
 */
import path from 'node:path';
import { BENCH } from '../bench/limits.ts';
import { targetEnv } from '../config/prepared-env.ts';
import { settingsToEnv, type RunSettings } from '../config/settings.ts';
import { benchCases, benchSummary } from '../bench/bench-record.ts';
import { measureHarnessSpeed } from '../bench/measure.ts';
import { REPORT_FILES } from '../reports/layout.ts';
import { assembleRecord } from '../reports/run-record.ts';
import { writeReports } from '../reports/write-reports.ts';
import { prepareRun } from '../run/prepare.ts';
import { sweepRunDir } from '../run/run-dir.ts';
import { describeRunEnvironment } from '../run/run-environment.ts';
import { kindOf } from '../runtime/kinds.ts';
import { progress } from './progress.ts';

/** `budgetMs` (`--budget`, a hunt's remaining time): no round starts that would end past it, counted from the start. */
export async function benchCommand(given: RunSettings, budgetMs?: number): Promise<number> {
  const deadline = budgetMs === undefined ? undefined : performance.now() + budgetMs;
  const prepared = await prepareRun(given, progress);
  const { settings, target } = prepared;
  process.once('exit', () => sweepRunDir(settings.runDir));
  Object.assign(process.env, settingsToEnv(settings), targetEnv(target));
  const environment = await describeRunEnvironment(prepared);
  const kind = kindOf(target);
  const runtime = await kind.open(target);
  const startedAt = new Date();
  try {
    const samples = await measureHarnessSpeed({
      runtime,
      rawBoot: kind.rawBoot?.(target) ?? { unavailable: `runtime kind ${kind.name} has no raw boot of its VMM` },
      rounds: BENCH.rounds,
      ...(deadline === undefined ? {} : { deadline }),
      onProgress: (line) => progress(`bench: ${line}`),
    });
    const durationMs = Date.now() - startedAt.getTime();
    const record = assembleRecord([
      { startedAt: startedAt.toISOString(), durationMs, repeats: 1, environment, cases: benchCases(samples, durationMs) },
    ]);
    console.log(`guest: ${target.arch}${target.machine ? ` on ${target.machine}` : ''}; accelerator: ${target.accelerator} (${target.acceleratorReason})`);
    for (const line of benchSummary(samples)) console.log(line);
    writeReports(record, settings.reportsDir);
    console.log(`record: ${path.join(settings.reportsDir, REPORT_FILES.record)} (gauntlet compare it with another bench's)`);
    return 0;
  } finally {
    await runtime.close?.();
    sweepRunDir(settings.runDir);
  }
}
