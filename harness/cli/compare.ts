/** `gauntlet compare A.json B.json`: prints what changed from A to B; exit 0 when B is no worse, 1 when it regressed. */
import { COMPARE } from '../config/constants.ts';
import { compareRuns, repeatsNeeded, type CaseChange, type Comparison, type MetricChange } from '../reports/compare.ts';
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
  const floor = `p < ${COMPARE.significance} and |change| ≥ ${COMPARE.minRelativeChange * 100}%`;
  section(`metrics regressed (${floor})`, metricsWith(comparison, 'regressed'));
  section(`metrics improved (${floor})`, metricsWith(comparison, 'improved'));
  section(
    `metrics with too few samples to judge (run both with --repeat ${repeatsNeeded()} or more)`,
    metricsWith(comparison, 'too few samples'),
  );
  const unchanged = comparison.metrics.filter((metric) => metric.verdict === 'unchanged').length;
  lines.push('', `${unchanged} metric${unchanged === 1 ? '' : 's'} within the noise floor.`);
  lines.push(comparison.regressed ? 'verdict: B regressed' : 'verdict: B is no worse than A');
  return lines.join('\n');
}

function describeCase(change: CaseChange): string {
  const reason = change.message?.split('\n')[0];
  return reason ? `${change.key}: ${reason}` : change.key;
}

function metricsWith(comparison: Comparison, verdict: MetricChange['verdict']): string[] {
  return comparison.metrics.filter((metric) => metric.verdict === verdict).map(describeMetric);
}

function describeMetric(change: MetricChange): string {
  const percent = Number.isFinite(change.relativeChange) ? `${change.relativeChange >= 0 ? '+' : ''}${(change.relativeChange * 100).toFixed(1)}%` : 'from 0';
  const value = (mean: number) => `${Number.isInteger(mean) ? mean : mean.toFixed(2)} ${change.unit}`;
  return `${change.key} ${change.metric}: ${value(change.meanA)} → ${value(change.meanB)} (${percent}, p=${change.pValue.toFixed(4)}, n=${change.samplesA}/${change.samplesB}, ${change.better} is better)`;
}
