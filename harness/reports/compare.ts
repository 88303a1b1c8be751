/**
 * A/B comparison of two run records: which cases newly fail, newly pass or turned flaky, and which
 * metrics moved. A metric is judged on every sample of its name in a cell, pooled across cases and
 * repeats, so one ordinary run per side is enough: it regressed or improved when a permutation test on
 * the medians gives p below the significance level and the change's confidence interval lies wholly
 * beyond the effect-size floor and the noise floor (how far A's median moves between halves of A's own
 * samples). B is "no worse" when nothing newly fails or turns flaky and no metric regressed.
 */
import { COMPARE } from './limits.ts';
import { median } from '../metrics/percentile.ts';
import { labelledCases, spansCells } from './matrix.ts';
import { describeLoad, environmentFacts, matrixCell, metricSamples, partsByCell, type BetterDirection, type CaseRecord, type Metric, type RunRecord } from './run-record.ts';
import { bootstrapInterval, permutationPValue, relativeChange, smallestPValue, splitHalfSpread } from './permutation-test.ts';

export interface CaseChange {
  key: string;
  /** The first failure message in B (newly failing, flaky) or A (newly passing). */
  message?: string;
}

export type MetricVerdict = 'regressed' | 'improved' | 'unchanged' | 'too few samples';

export interface MetricChange {
  /** The metric's name, with its cell when the records span several. */
  metric: string;
  unit: string;
  better: BetterDirection;
  /** Every sample of each side, in run order (the report draws both distributions). */
  valuesA: number[];
  valuesB: number[];
  medianA: number;
  medianB: number;
  /** (median B − median A) / median A. */
  relativeChange: number;
  /** Bootstrap confidence interval of relativeChange, at COMPARE.confidence. */
  interval: [number, number];
  pValue: number;
  /** The change A shows against itself (split halves); undefined with too few samples to tell. */
  noiseFloor: number | undefined;
  verdict: MetricVerdict;
  /** With too few samples: the suites that would give enough, fewest repeats first. */
  enoughWith?: RepeatAdvice[];
}

/** `repeats` runs of suite `group` (each side) give `samplesNeeded` of a metric, at `perRepeat` samples a repeat (the poorer side's). */
export interface RepeatAdvice {
  group: string;
  perRepeat: number;
  repeats: number;
}

export interface Comparison {
  newlyFailing: CaseChange[];
  newlyPassing: CaseChange[];
  /** Flaky in B and not in A: counts against B. */
  newlyFlaky: CaseChange[];
  /** Flaky in both: worth knowing, not B's fault. */
  stillFlaky: CaseChange[];
  newlySkipped: CaseChange[];
  onlyInA: string[];
  onlyInB: string[];
  metrics: MetricChange[];
  /** Environment facts that differ, "name: A → B" (what changed between the runs). */
  environmentChanges: string[];
  /** Each side's host load average over its run(s), "5.68 → 4.10", where recorded: a busier host alone slows every timing. */
  hostLoad: { a: string[]; b: string[] };
  regressed: boolean;
}

export interface CompareOptions {
  significance: number;
  /** The effect-size floor: smaller changes never count, however significant. */
  minRelativeChange: number;
  confidence: number;
  /** Fewest samples of A for a noise floor from its halves. */
  noiseFloorMinSamples: number;
  exactSplitsUpTo: number;
  resamples: number;
  seed: number;
}

export function compareRuns(a: RunRecord, b: RunRecord, options: CompareOptions = COMPARE): Comparison {
  // Records of several cells hold each case once per cell: match them cell by cell. Two single-cell
  // records match by case alone, so an A/B across VMM builds or accelerators still lines up.
  const withCell = spansCells(a) || spansCells(b);
  const casesA = byKey(a, withCell);
  const casesB = byKey(b, withCell);
  const comparison: Comparison = {
    newlyFailing: [],
    newlyPassing: [],
    newlyFlaky: [],
    stillFlaky: [],
    newlySkipped: [],
    onlyInA: [...casesA.keys()].filter((key) => !casesB.has(key)),
    onlyInB: [],
    metrics: withRepeatAdvice(compareMetrics(pooledMetrics(a, withCell), pooledMetrics(b, withCell), options), a, b, withCell, options),
    environmentChanges: environmentChanges(a, b),
    hostLoad: { a: hostLoadOf(a), b: hostLoadOf(b) },
    regressed: false,
  };
  for (const [key, caseB] of casesB) {
    const caseA = casesA.get(key);
    if (!caseA) comparison.onlyInB.push(key);
    const before = caseA?.outcome;
    const after = caseB.outcome;
    if (after === 'failed' && before !== 'failed') comparison.newlyFailing.push({ key, message: firstFailure(caseB) });
    if (after === 'flaky') (before === 'flaky' ? comparison.stillFlaky : comparison.newlyFlaky).push({ key, message: firstFailure(caseB) });
    if (after === 'passed' && (before === 'failed' || before === 'flaky')) comparison.newlyPassing.push({ key, message: firstFailure(caseA!) });
    if (after === 'skipped' && before !== undefined && before !== 'skipped') comparison.newlySkipped.push({ key, message: caseB.attempts[0]?.message });
  }
  comparison.regressed =
    comparison.newlyFailing.length > 0 || comparison.newlyFlaky.length > 0 || comparison.metrics.some((m) => m.verdict === 'regressed');
  return comparison;
}

/** Every sample of each metric name, pooled over the record's cases and repeats (per cell when `withCell`). */
function pooledMetrics(record: RunRecord, withCell: boolean): Map<string, Metric> {
  const pooled = new Map<string, Metric>();
  for (const [cell, parts] of partsByCell(record.parts)) {
    for (const [name, metric] of metricSamples(...parts.flatMap((part) => part.cases))) {
      pooled.set(withCell ? `${name} · ${cell}` : name, metric);
    }
  }
  return pooled;
}

/** How many samples of each metric one repeat of each suite (case group) takes, per part summed (shards add up). */
function samplesPerRepeat(record: RunRecord, withCell: boolean): Map<string, Map<string, number>> {
  const rates = new Map<string, Map<string, number>>();
  for (const [cell, parts] of partsByCell(record.parts)) {
    for (const part of parts) {
      for (const entry of part.cases) {
        for (const [name, metric] of metricSamples(entry)) {
          const key = withCell ? `${name} · ${cell}` : name;
          const byGroup = rates.get(key) ?? new Map<string, number>();
          byGroup.set(entry.group, (byGroup.get(entry.group) ?? 0) + metric.samples.length / Math.max(1, part.repeats));
          rates.set(key, byGroup);
        }
      }
    }
  }
  return rates;
}

/**
 * For each metric with too few samples, the repeats of each suite that records it on both sides which
 * would give both sides enough: a hunter learns what to run, not only that it was not enough.
 */
function withRepeatAdvice(changes: MetricChange[], a: RunRecord, b: RunRecord, withCell: boolean, options: CompareOptions): MetricChange[] {
  const needed = samplesNeeded(options);
  const ratesA = samplesPerRepeat(a, withCell);
  const ratesB = samplesPerRepeat(b, withCell);
  return changes.map((change) => {
    if (change.verdict !== 'too few samples') return change;
    const byGroupB = ratesB.get(change.metric) ?? new Map<string, number>();
    const enoughWith = [...(ratesA.get(change.metric) ?? new Map<string, number>())]
      .filter(([group]) => byGroupB.has(group))
      .map(([group, rateA]) => {
        const perRepeat = Math.min(rateA, byGroupB.get(group)!);
        return { group, perRepeat, repeats: Math.ceil(needed / perRepeat) };
      })
      .sort((x, y) => x.repeats - y.repeats || x.group.localeCompare(y.group));
    return { ...change, enoughWith };
  });
}

function compareMetrics(metricsA: Map<string, Metric>, metricsB: Map<string, Metric>, options: CompareOptions): MetricChange[] {
  const changes: MetricChange[] = [];
  for (const [metric, { unit, better, samples: valuesB }] of metricsB) {
    const valuesA = metricsA.get(metric)?.samples;
    if (!valuesA || valuesA.length === 0 || valuesB.length === 0) continue;
    const change = relativeChange(valuesA, valuesB);
    const pValue = permutationPValue(valuesA, valuesB, options);
    const noiseFloor = splitHalfSpread(valuesA, options.noiseFloorMinSamples);
    const worse = better === 'lower' ? change > 0 : change < 0;
    const interval = bootstrapInterval(valuesA, valuesB, options.confidence, options);
    // Judged by the interval's end nearest no change: the change is beyond the floors with that
    // confidence, not only its point estimate (two runs of one build on a busy host differ by 5-7 %).
    const surelyAtLeast = change > 0 ? interval[0] : -interval[1];
    const beyondFloors = surelyAtLeast >= options.minRelativeChange && surelyAtLeast > (noiseFloor ?? 0);
    const verdict: MetricVerdict =
      smallestPValue(valuesA.length, valuesB.length, options) >= options.significance
        ? 'too few samples'
        : pValue >= options.significance || !beyondFloors
          ? 'unchanged'
          : worse
            ? 'regressed'
            : 'improved';
    changes.push({
      metric,
      unit,
      better,
      valuesA,
      valuesB,
      medianA: median(valuesA),
      medianB: median(valuesB),
      relativeChange: change,
      interval,
      pValue,
      noiseFloor,
      verdict,
    });
  }
  return changes;
}

/** "median 2512 → 2830 ms (+12.7%, 95% CI +9.8% … +15.1%; p=0.0005; n=25/25; noise floor 3.1%; lower is better)" */
export function describeMetricChange(change: MetricChange, options: Pick<CompareOptions, 'confidence'> = COMPARE): string {
  const value = (median: number) => `${Number.isInteger(median) ? median : median.toFixed(2)}`;
  const details = [
    `${formatChange(change.relativeChange)}, ${options.confidence * 100}% CI ${formatChange(change.interval[0])} … ${formatChange(change.interval[1])}`,
    `p=${change.pValue.toFixed(4)}`,
    `n=${change.valuesA.length}/${change.valuesB.length}`,
    ...(change.noiseFloor === undefined ? [] : [`noise floor ${(change.noiseFloor * 100).toFixed(1)}%`]),
    `${change.better} is better`,
  ];
  return `median ${value(change.medianA)} → ${value(change.medianB)} ${change.unit} (${details.join('; ')})`;
}

/** A relative change as "+12.7%" (or "from 0"). */
export function formatChange(fraction: number): string {
  return Number.isFinite(fraction) ? `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)}%` : 'from 0';
}

/** "8 a side takes lifecycle --repeat 2 (4 a repeat), or balloon --repeat 8 (1 a repeat)"; or why no repeat would. */
export function describeRepeatAdvice(advice: RepeatAdvice[], options: CompareOptions = COMPARE): string {
  if (advice.length === 0) return 'no suite records it on both sides';
  const perRepeat = (rate: number) => (Number.isInteger(rate) ? `${rate}` : rate.toFixed(1));
  const ways = advice.map(({ group, perRepeat: rate, repeats }) => `${group} --repeat ${repeats} (${perRepeat(rate)} a repeat)`);
  return `${samplesNeeded(options)} a side takes ${ways.join(', or ')}`;
}

/** The fewest samples per side for which the permutation test can reach the significance level at all. */
export function samplesNeeded(options: CompareOptions = COMPARE): number {
  let samples = 1;
  while (smallestPValue(samples, samples, options) >= options.significance) samples++;
  return samples;
}

function byKey(record: RunRecord, withCell: boolean): Map<string, CaseRecord> {
  return new Map(labelledCases(record, withCell).map(({ entry, label }) => [label, entry]));
}

function firstFailure(entry: CaseRecord): string | undefined {
  return entry.attempts.find((attempt) => attempt.outcome === 'failed')?.message;
}

/** Facts that differ between the runs' environments (per cell): the likely reason for whatever else changed. */
function environmentChanges(a: RunRecord, b: RunRecord): string[] {
  // The first part of each cell speaks for it (its shards share the build under test).
  const firstPartFacts = (record: RunRecord) =>
    new Map(record.parts.map((part): [string, Record<string, string>] => [matrixCell(part.environment), environmentFacts(part.environment)]).reverse());
  const cellsA = firstPartFacts(a);
  const cellsB = firstPartFacts(b);
  const onlyCell = cellsA.size === 1 && cellsB.size === 1;
  const pairs: [string, Record<string, string>, Record<string, string>][] = onlyCell
    ? [['', [...cellsA.values()][0]!, [...cellsB.values()][0]!]]
    : [...new Set([...cellsA.keys(), ...cellsB.keys()])].map((cell) => [`${cell}: `, cellsA.get(cell) ?? {}, cellsB.get(cell) ?? {}]);
  return pairs.flatMap(([prefix, factsA, factsB]) =>
    [...new Set([...Object.keys(factsA), ...Object.keys(factsB)])]
      .filter((name) => !VOLATILE_FACTS.has(name) && factsA[name] !== factsB[name])
      .map((name) => `${prefix}${name}: ${factsA[name] ?? '—'} → ${factsB[name] ?? '—'}`),
  );
}

function hostLoadOf(record: RunRecord): string[] {
  return record.parts.flatMap((part) => (part.hostLoadAverage ? [describeLoad(part.hostLoadAverage)] : []));
}

/** Facts that differ between any two runs on the same host. */
const VOLATILE_FACTS = new Set(['host.availableMemMiB']);
