/**
 * A/B comparison of two run records: which cases newly fail, newly pass or turned flaky, and which
 * metrics moved beyond the noise floor (a permutation test over the repeats' samples, and a minimum
 * relative change). B is "no worse" when nothing newly fails or turns flaky and no metric regressed.
 */
import { COMPARE } from '../config/constants.ts';
import { labelledCases, spansCells } from './matrix.ts';
import { environmentFacts, metricSamples, type BetterDirection, type CaseRecord, type RunRecord } from './run-record.ts';
import { mean, permutationPValue, smallestPValue } from './permutation-test.ts';

export interface CaseChange {
  key: string;
  /** The first failure message in B (newly failing, flaky) or A (newly passing). */
  message?: string;
}

export type MetricVerdict = 'regressed' | 'improved' | 'unchanged' | 'too few samples';

export interface MetricChange {
  key: string;
  metric: string;
  unit: string;
  better: BetterDirection;
  meanA: number;
  meanB: number;
  /** (mean B − mean A) / mean A. */
  relativeChange: number;
  pValue: number;
  samplesA: number;
  samplesB: number;
  verdict: MetricVerdict;
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
  regressed: boolean;
}

export interface CompareOptions {
  significance: number;
  minRelativeChange: number;
  resamples: number;
  seed: number;
}

export function compareRuns(a: RunRecord, b: RunRecord, options: CompareOptions = COMPARE): Comparison {
  // Records of several cells hold each case once per cell: match them cell by cell. Two single-cell
  // records match by case alone, so an A/B across QEMU builds or accelerators still lines up.
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
    metrics: [],
    environmentChanges: environmentChanges(a, b),
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
    if (caseA) comparison.metrics.push(...compareMetrics(key, caseA, caseB, options));
  }
  comparison.regressed =
    comparison.newlyFailing.length > 0 || comparison.newlyFlaky.length > 0 || comparison.metrics.some((m) => m.verdict === 'regressed');
  return comparison;
}

function compareMetrics(key: string, caseA: CaseRecord, caseB: CaseRecord, options: CompareOptions): MetricChange[] {
  const samplesA = metricSamples(caseA);
  const changes: MetricChange[] = [];
  for (const [metric, { unit, better, samples: valuesB }] of metricSamples(caseB)) {
    const valuesA = samplesA.get(metric)?.samples;
    if (!valuesA) continue;
    const meanA = mean(valuesA);
    const meanB = mean(valuesB);
    const relativeChange = meanA === 0 ? (meanB === 0 ? 0 : Infinity * Math.sign(meanB)) : (meanB - meanA) / Math.abs(meanA);
    const pValue = permutationPValue(valuesA, valuesB, options);
    const worse = better === 'lower' ? relativeChange > 0 : relativeChange < 0;
    const verdict: MetricVerdict =
      smallestPValue(valuesA.length, valuesB.length) > options.significance
        ? 'too few samples'
        : pValue >= options.significance || Math.abs(relativeChange) < options.minRelativeChange
          ? 'unchanged'
          : worse
            ? 'regressed'
            : 'improved';
    changes.push({ key, metric, unit, better, meanA, meanB, relativeChange, pValue, samplesA: valuesA.length, samplesB: valuesB.length, verdict });
  }
  return changes;
}

/** The fewest repeats per run for which the permutation test can reach the significance level at all. */
export function repeatsNeeded(significance: number = COMPARE.significance): number {
  let repeats = 1;
  while (smallestPValue(repeats, repeats) > significance) repeats++;
  return repeats;
}

function byKey(record: RunRecord, withCell: boolean): Map<string, CaseRecord> {
  return new Map(labelledCases(record, withCell).map(({ entry, label }) => [label, entry]));
}

function firstFailure(entry: CaseRecord): string | undefined {
  return entry.attempts.find((attempt) => attempt.outcome === 'failed')?.message;
}

/** Facts that differ between the runs' environments: the likely reason for whatever else changed. */
function environmentChanges(a: RunRecord, b: RunRecord): string[] {
  const factsA = a.parts[0] ? environmentFacts(a.parts[0].environment) : {};
  const factsB = b.parts[0] ? environmentFacts(b.parts[0].environment) : {};
  const names = new Set([...Object.keys(factsA), ...Object.keys(factsB)]);
  return [...names]
    .filter((name) => !VOLATILE_FACTS.has(name) && factsA[name] !== factsB[name])
    .map((name) => `${name}: ${factsA[name] ?? '—'} → ${factsB[name] ?? '—'}`);
}

/** Facts that differ between any two runs on the same host. */
const VOLATILE_FACTS = new Set(['host.availableMemMiB']);
