/**
 * `gauntlet hunt A B [suite...]`: a regression hunt in one command. Round after round it runs the
 * bench and the suites for A and B side by side (each on its share of the cores, the one started
 * first alternating: A B, B A, ...), so both meet the same host, and compares all samples so far,
 * until every boot, restore, exec and balloon metric has enough samples a side to be judged or the
 * budget runs out. Later rounds run only the suites (or the bench) that give the still unjudged
 * metrics their samples; once all are judged, a metric that moved is confirmed by one more round of
 * the suites that record it. Ends with compare's verdict and page: exit 0 B no worse, 1 regressed,
 * 2 (125 with --bisect) when a side could not be run.
 */
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { BENCH_GROUP } from '../bench/bench-record.ts';
import { foldRounds, moreSamples, moved, repeatsThatFit, suitesRecording, unjudged } from '../hunt/plan.ts';
import type { HuntPlan } from '../hunt/hunt-args.ts';
import type { HuntSide } from '../hunt/side.ts';
import { compareRuns, describeRepeatAdvice } from '../reports/compare.ts';
import { writeComparisonHtml } from '../reports/compare-html.ts';
import { readRunJson, writeRunJson } from '../reports/run-json.ts';
import type { RunRecord } from '../reports/run-record.ts';
import { formatComparison } from './compare.ts';
import { EXIT } from './exit-codes.ts';

interface SideRecords {
  side: HuntSide;
  records: RunRecord[];
}

/** Every child `gauntlet` runs as this one does (the same Node, loader and entry script). */
async function gauntlet(args: string[]): Promise<{ exitCode: number; lastLine: string }> {
  const result = await execa(process.execPath, [...process.execArgv, process.argv[1]!, ...args], { reject: false, all: true });
  const lines = (result.all ?? '').trim().split('\n');
  return { exitCode: result.exitCode ?? -1, lastLine: lines[lines.length - 1] ?? '' };
}

export async function huntCommand(plan: HuntPlan): Promise<number> {
  const startedAt = Date.now();
  const shareOfCores = String(Math.max(1, Math.floor((plan.cores ?? availableParallelism()) / 2)));
  let runnable = [BENCH_GROUP, ...plan.suites];
  const sides: SideRecords[] = plan.sides.map((side) => ({ side, records: [] }));
  let groups = runnable;
  let repeats = 1;
  let cold: string[] = [];
  let confirming = false;
  let lastRound = { durationMs: 0, repeats: 1 };
  for (let round = 1; ; round++) {
    if (round > 1) {
      const fit = repeatsThatFit(repeats, lastRound, plan.budgetMs - (Date.now() - startedAt));
      if (fit === 0) {
        console.log(`hunt: the budget (${Math.round(plan.budgetMs / 1000)} s) has no room for another round (the last took ${Math.round(lastRound.durationMs / 1000)} s for ${lastRound.repeats} repeat${lastRound.repeats === 1 ? '' : 's'})`);
        break;
      }
      if (fit < repeats) console.log(`hunt: ${repeats} repeats would overrun the budget; ${fit} fit in what is left`);
      repeats = fit;
    }
    const roundStart = Date.now();
    const order = round % 2 === 1 ? sides : [...sides].reverse();
    const coldNote = cold.length > 0 ? ` (${cold.join(', ')} booting every VM: --cold)` : '';
    console.log(`hunt: round ${round}${confirming ? ' (confirming what moved)' : ''}: ${groups.join(', ')}${repeats > 1 ? ` (suites --repeat ${repeats})` : ''}${coldNote} for ${order.map(({ side }) => side.label).join(' and ')}`);
    const failures = (await Promise.all(order.map((entry) => runRound(entry, round, { groups, repeats, cold, cores: shareOfCores, startedAt }, plan)))).filter((failure) => failure !== undefined);
    if (failures.length > 0) {
      console.error(`gauntlet: ${failures[0]}`);
      return plan.bisect ? EXIT.bisectSkip : EXIT.environment;
    }
    lastRound = { durationMs: Date.now() - roundStart, repeats };
    // No suite named: all ran in round 1, and the groups they recorded are what later rounds may pick from.
    if (plan.suites.length === 0 && round === 1) runnable = [BENCH_GROUP, ...new Set(sides[0]!.records.flatMap((record) => record.parts.flatMap((part) => part.cases.map((entry) => entry.group))))];
    const comparison = compareRuns(foldRounds(sides[0]!.records), foldRounds(sides[1]!.records));
    const missing = unjudged(comparison);
    if (missing.length > 0) {
      for (const metric of missing) console.log(`hunt: ${metric.metric}: n=${metric.valuesA.length}/${metric.valuesB.length}; ${describeRepeatAdvice(metric.enoughWith ?? [])}`);
      ({ groups, repeats, cold } = moreSamples(comparison, runnable));
      if (groups.length === 0) {
        console.log('hunt: no suite of this hunt records the unjudged metrics on both sides; stopping');
        break;
      }
      continue;
    }
    const movedNow = moved(comparison);
    if (confirming || movedNow.length === 0) break;
    confirming = true;
    groups = suitesRecording(movedNow, foldRounds(sides[1]!.records), runnable);
    repeats = 1;
    cold = [];
    console.log(`hunt: every hunted metric is judged; ${movedNow.map((metric) => metric.metric).join(', ')} moved: one more round to confirm`);
  }
  return verdict(sides, plan);
}

interface RoundShape {
  groups: string[];
  repeats: number;
  /** Suites of `groups` run once with every VM booted, for boot samples. */
  cold: string[];
  cores: string;
  /** When the hunt started: the bench is given what is left of the budget. */
  startedAt: number;
}

/**
 * One side's share of a round: the suites, then the bench, into their own reports directories. The
 * bench comes last and takes only the rounds that fit what is left of the budget (at least one), so
 * a short budget cuts the round short instead of being overrun by the bench's fixed rounds.
 */
async function runRound({ side, records }: SideRecords, round: number, { groups, repeats, cold, cores, startedAt }: RoundShape, plan: HuntPlan): Promise<string | undefined> {
  const dir = path.join(plan.reportsDir, side.label.toLowerCase(), `round-${round}`);
  const coldSuites = cold.filter((group) => group !== BENCH_GROUP);
  const suites = groups.filter((group) => group !== BENCH_GROUP && !coldSuites.includes(group));
  const children: [string, () => string[]][] = [];
  if (suites.length > 0 || (plan.suites.length === 0 && round === 1)) children.push([path.join(dir, 'suites'), () => ['run', ...suites, '--cores', cores, ...(repeats > 1 ? ['--repeat', String(repeats)] : [])]]);
  if (coldSuites.length > 0) children.push([path.join(dir, 'cold'), () => ['run', ...coldSuites, '--cold', '--cores', cores]]);
  if (groups.includes(BENCH_GROUP)) children.push([path.join(dir, 'bench'), () => ['bench', '--budget', `${Math.max(1, Math.floor((plan.budgetMs - (Date.now() - startedAt)) / 1000))}s`]]);
  for (const [reports, command] of children) {
    await mkdir(reports, { recursive: true });
    const result = await gauntlet([...command(), ...side.flags, ...plan.shared, '--reports', reports]);
    // 0 and 1 are verdicts (a failing case is compared like any other); anything else means the side could not run.
    if (result.exitCode !== 0 && result.exitCode !== 1) return `side ${side.label} (${side.given}) could not run: ${result.lastLine}`;
    records.push(readRunJson(path.join(reports, 'run.json')));
  }
  return undefined;
}

function verdict(sides: SideRecords[], plan: HuntPlan): number {
  const [fileA, fileB] = sides.map(({ side, records }) => {
    const file = path.join(plan.reportsDir, side.label.toLowerCase(), 'run.json');
    writeRunJson(foldRounds(records), file);
    return file;
  }) as [string, string];
  const comparison = compareRuns(readRunJson(fileA), readRunJson(fileB));
  console.log(formatComparison(comparison, `${fileA} (${sides[0]!.side.given})`, `${fileB} (${sides[1]!.side.given})`));
  const page = path.join(plan.reportsDir, 'compare.html');
  writeComparisonHtml(comparison, fileA, fileB, page);
  console.log(`page: ${page}`);
  return comparison.regressed ? EXIT.failed : EXIT.passed;
}
