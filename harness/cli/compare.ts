/** `gauntlet compare A.json B.json`: prints what changed from A to B; exit 0 when B is no worse, 1 when it regressed. */
import { COMPARE } from '../config/constants.ts';
import { compareRuns, samplesNeeded, type CaseChange, type Comparison, type MetricChange } from '../reports/compare.ts';
import { readRunJson } from '../reports/run-json.ts';

export function compareCommand(fileA: string, fileB: string): number {
  const comparison = compareRuns(readRunJson(fileA), readRunJson(fileB));
  console.log(formatComparison(comparison, fileA, fileB));
  return comparison.regressed ? 1 : 0;
}

export function formatComparison(comparison: Comparison, fileA: string, fileB: string): string {
  const lines = [`A: ${fileA}`, `B: ${fileB}`];
  const section = (title: string, entries: string[]) => {
    if (entries.length > 0) lines.push('', `${title} (${entries.length}):`, ...entries.map((entry) => `  ${entry}`));
  };
  section('environment changed', comparison.environmentChanges);
  section('newly failing', comparison.newlyFailing.map(describeCase));
  section('newly flaky', comparison.newlyFlaky.map(describeCase));
  section('newly passing', comparison.newlyPassing.map(describeCase));
  section('flaky in both', comparison.stillFlaky.map(describeCase));
  section('newly skipped', comparison.newlySkipped.map(describeCase));
  section('only in A', comparison.onlyInA);
  section('only in B', comparison.onlyInB);
  const floor = `p < ${COMPARE.significance}, |change| ≥ ${COMPARE.minRelativeChange * 100}% and beyond A's noise floor`;
  section(`metrics regressed (${floor})`, metricsWith(comparison, 'regressed'));
  section(`metrics improved (${floor})`, metricsWith(comparison, 'improved'));
  section('metrics within the noise', metricsWith(comparison, 'unchanged'));
  section(`metrics with too few samples to judge (fewer than ${samplesNeeded()} a side)`, metricsWith(comparison, 'too few samples'));
  lines.push('', comparison.regressed ? 'verdict: B regressed' : 'verdict: B is no worse than A');
  return lines.join('\n');
}

function describeCase(change: CaseChange): string {
  const reason = change.message?.split('\n')[0];
  return reason ? `${change.key}: ${reason}` : change.key;
}

function metricsWith(comparison: Comparison, verdict: MetricChange['verdict']): string[] {
  return comparison.metrics.filter((metric) => metric.verdict === verdict).map(describeMetric);
}

/** "boot to first exec: median 2512 → 2830 ms (+12.7%, 95% CI +9.8% … +15.1%; p=0.0005; n=25/25; noise floor 3.1%; lower is better)" */
export function describeMetric(change: MetricChange): string {
  const value = (median: number) => `${Number.isInteger(median) ? median : median.toFixed(2)}`;
  const details = [
    `${percent(change.relativeChange)}, ${COMPARE.confidence * 100}% CI ${percent(change.interval[0])} … ${percent(change.interval[1])}`,
    `p=${change.pValue.toFixed(4)}`,
    `n=${change.valuesA.length}/${change.valuesB.length}`,
    ...(change.noiseFloor === undefined ? [] : [`noise floor ${(change.noiseFloor * 100).toFixed(1)}%`]),
    `${change.better} is better`,
  ];
  return `${change.metric}: median ${value(change.medianA)} → ${value(change.medianB)} ${change.unit} (${details.join('; ')})`;
}

function percent(fraction: number): string {
  return Number.isFinite(fraction) ? `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)}%` : 'from 0';
}
