/**
 * What a hunt runs next, from the comparison so far: the suites (and the bench) that give the
 * unjudged metrics their samples, then, once every hunted metric is judged, one more round of only
 * the suites whose metrics moved, to confirm the move on fresh samples before calling it.
 */
import { COMPARE } from '../reports/limits.ts';
import { VM_METRICS } from '../reports/metric-names.ts';
import { samplesNeeded, type CompareOptions, type Comparison, type MetricChange } from '../reports/compare.ts';
import { allCases, assembleRecord, casesFromRepeats, metricSamples, type AttemptOfCase, type RunPart, type RunRecord } from '../reports/run-record.ts';

/**
 * The metrics a hunt must judge before it may stop early: the times of boot, restore, exec and balloon
 * moves (ms, ms/MiB). A size a case records (the MiB a restored balloon kept) is no speed to hunt.
 */
export function isHunted(metric: Pick<MetricChange, 'metric' | 'unit'>): boolean {
  return /boot|restore|exec|balloon/i.test(metric.metric) && /^ms\b/.test(metric.unit);
}

export function unjudged(comparison: Comparison): MetricChange[] {
  return comparison.metrics.filter((metric) => isHunted(metric) && metric.verdict === 'too few samples');
}

export function moved(comparison: Comparison): MetricChange[] {
  return comparison.metrics.filter((metric) => metric.verdict === 'regressed' || metric.verdict === 'improved');
}

/** What the next round runs to give the unjudged metrics their samples, and how many repeats of it. */
export interface MoreSamples {
  groups: string[];
  repeats: number;
  /**
   * Of `groups`, those to run with every VM booted (`--cold`), once: the ones chosen for a boot metric
   * (the bench among them boots cold anyway).
   * A run restores its VMs, so a suite records a boot only for the few cases about boot; cold, every
   * VM it makes is a boot sample, and the hunt keeps its power on boot without tens of repeats.
   */
  cold: string[];
}

/** The boot metrics: samples of a VM that booted, which a restored VM does not give. */
const BOOT_METRICS: ReadonlySet<string> = new Set([VM_METRICS.firstExec, VM_METRICS.firstConsoleOutput, VM_METRICS.controlConnect]);

/**
 * The suites (BENCH_GROUP for the bench) to run again so every unjudged metric gains samples: for
 * each, the one needing the fewest repeats among those the hunt runs, repeated as often as the poorer
 * side still lacks. A metric no such suite records gets none: more rounds would not help it.
 */
export function moreSamples(comparison: Comparison, runnable: readonly string[], options: CompareOptions = COMPARE): MoreSamples {
  const chosen = new Set<string>();
  const cold = new Set<string>();
  let repeats = 1;
  for (const metric of unjudged(comparison)) {
    const best = metric.enoughWith?.find((advice) => runnable.includes(advice.group));
    if (!best) continue;
    chosen.add(best.group);
    if (BOOT_METRICS.has(metric.metric)) {
      cold.add(best.group);
      continue;
    }
    const lacking = samplesNeeded(options) - Math.min(metric.valuesA.length, metric.valuesB.length);
    repeats = Math.max(repeats, Math.ceil(lacking / best.perRepeat));
  }
  return { groups: runnable.filter((group) => chosen.has(group)), repeats, cold: runnable.filter((group) => cold.has(group)) };
}

/**
 * How many of `wanted` repeats the next round can run within `leftMs`, judged by the last round's
 * time per repeat (a round of 14 repeats takes about twice one of 7): at most `wanted`, 0 when not
 * even one fits. Without this a round planned from its predecessor's whole time ran twice as long as
 * it, and an 8-minute hunt took 11.
 */
export function repeatsThatFit(wanted: number, last: { durationMs: number; repeats: number }, leftMs: number): number {
  const perRepeatMs = last.durationMs / Math.max(1, last.repeats);
  return Math.min(wanted, Math.max(0, Math.floor(leftMs / perRepeatMs)));
}

/** The suites that record any of the moved metrics in this record: the confirmation round. */
export function suitesRecording(metrics: MetricChange[], record: RunRecord, runnable: readonly string[]): string[] {
  const names = new Set(metrics.map((metric) => metric.metric));
  const groups = new Set(allCases(record).filter((entry) => [...metricSamples(entry).keys()].some((name) => names.has(name))).map((entry) => entry.group));
  return runnable.filter((group) => groups.has(group));
}

/**
 * One side's rounds as one record: one part per suite (case group), each case's attempts of every
 * round folded together like repeats, and the part's repeats the number of rounds that ran the suite,
 * so compare's samples a repeat are each suite's own.
 */
export function foldRounds(records: RunRecord[]): RunRecord {
  const byGroup = new Map<string, { parts: RunPart[]; attempts: AttemptOfCase[] }>();
  for (const part of records.flatMap((record) => record.parts)) {
    for (const group of new Set(part.cases.map((entry) => entry.group))) {
      const folded = byGroup.get(group) ?? { parts: [], attempts: [] };
      folded.parts.push(part);
      for (const entry of part.cases.filter((each) => each.group === group)) {
        folded.attempts.push(...entry.attempts.map((attempt) => ({ group, id: entry.id, file: entry.file, attempt })));
      }
      byGroup.set(group, folded);
    }
  }
  return assembleRecord(
    [...byGroup.values()].map(({ parts, attempts }) => ({
      ...parts[0]!,
      repeats: parts.reduce((sum, part) => sum + part.repeats, 0),
      durationMs: parts.reduce((sum, part) => sum + part.durationMs, 0),
      cases: casesFromRepeats([attempts]),
    })),
  );
}
