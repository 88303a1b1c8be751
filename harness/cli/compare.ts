/** `gauntlet compare A.json B.json`: prints what changed from A to B; exit 0 when B is no worse, 1 when it regressed. */
import { COMPARE } from '../reports/limits.ts';
import { compareRuns, describeMetricChange, describeRepeatAdvice, samplesNeeded, type CaseChange, type Comparison, type MetricChange } from '../reports/compare.ts';
import { writeComparisonHtml } from '../reports/compare-html.ts';
import { readRunJson } from '../reports/run-json.ts';

export function compareCommand(fileA: string, fileB: string, htmlFile?: string): number {
  const comparison = compareRuns(readRunJson(fileA), readRunJson(fileB));
  console.log(formatComparison(comparison, fileA, fileB));
  if (htmlFile) {
    writeComparisonHtml(comparison, fileA, fileB, htmlFile);
    console.log(`page: ${htmlFile}`);
  }
  return comparison.regressed ? 1 : 0;
}

export function formatComparison(comparison: Comparison, fileA: string, fileB: string): string {
  const lines = [`A: ${fileA}`, `B: ${fileB}`];
  const section = (title: string, entries: string[]) => {
    if (entries.length > 0) lines.push('', `${title} (${entries.length}):`, ...entries.map((entry) => `  ${entry}`));
  };
  const load = (side: string[]) => (side.length > 0 ? side.join(', ') : 'not recorded');
  lines.push(`host load average (1 min, start → end): A ${load(comparison.hostLoad.a)}; B ${load(comparison.hostLoad.b)}`);
  section('environment changed', comparison.environmentChanges);
  section('newly failing', comparison.newlyFailing.map(describeCase));
  section('newly flaky', comparison.newlyFlaky.map(describeCase));
  section('newly passing', comparison.newlyPassing.map(describeCase));
  section('flaky in both', comparison.stillFlaky.map(describeCase));
  section('newly skipped', comparison.newlySkipped.map(describeCase));
  section('only in A', comparison.onlyInA);
  section('only in B', comparison.onlyInB);
  const floor = `p < ${COMPARE.significance}, and the whole ${COMPARE.confidence * 100}% CI ≥ ${COMPARE.minRelativeChange * 100}% and beyond A's noise floor`;
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
  return comparison.metrics
    .filter((metric) => metric.verdict === verdict)
    .map((metric) => {
      const line = `${metric.metric}: ${describeMetricChange(metric)}`;
      return metric.enoughWith ? `${line}; ${describeRepeatAdvice(metric.enoughWith)}` : line;
    });
}
