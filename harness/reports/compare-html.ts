/**
 * `gauntlet compare A B --html FILE`: the comparison as one self-contained page, for the hunter who
 * asks "what got slower, what broke": the verdict, what differs between the environments, the cases
 * newly failing or flaky (and the other case changes), then for every metric that moved both
 * distributions side by side, and last every metric judged, with its sample counts and interval.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { COMPARE } from './limits.ts';
import { comparisonStripChart } from './charts.ts';
import { describeMetricChange, describeRepeatAdvice, formatChange as percent, type CaseChange, type Comparison, type MetricChange } from './compare.ts';
import { chartBlock, escapeHtml, formatNumber, htmlPage } from './html-page.ts';

export function writeComparisonHtml(comparison: Comparison, fileA: string, fileB: string, file: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, renderComparisonHtml(comparison, fileA, fileB));
}

export function renderComparisonHtml(comparison: Comparison, fileA: string, fileB: string): string {
  const moved = comparison.metrics.filter((metric) => metric.verdict === 'regressed' || metric.verdict === 'improved');
  const charts = moved.map((metric) => comparisonStripChart(`${metric.metric} (${metric.verdict}, ${percent(metric.relativeChange)})`, metric.unit, metric.valuesA, metric.valuesB));
  const verdict = comparison.regressed ? 'regressed' : 'no worse';
  const body = `<header id="verdict" data-verdict="${comparison.regressed ? 'failed' : 'passed'}">
<h1>B ${comparison.regressed ? 'regressed' : 'is no worse than A'}</h1>
<p>A: <code>${escapeHtml(fileA)}</code><br>B: <code>${escapeHtml(fileB)}</code></p>
<p class="note">Host load average (1 min, start → end): A ${escapeHtml(comparison.hostLoad.a.join(', ') || 'not recorded')}; B ${escapeHtml(comparison.hostLoad.b.join(', ') || 'not recorded')}. A busier host slows every timing by itself.</p>
<p class="note">A metric counts when a permutation test on the medians gives p &lt; ${COMPARE.significance} and the change's whole ${COMPARE.confidence * 100}% interval is at least ${COMPARE.minRelativeChange * 100}% and beyond A's noise floor (how far A's median moves between halves of its own samples).</p>
</header>
${listSection('environment', 'Environment differences', comparison.environmentChanges.map(escapeHtml), 'The environments are the same.')}
${listSection('cases', 'Case changes', caseChanges(comparison), 'No case changed its outcome.')}
<section id="moved"><h2>Metrics that moved (${moved.length})</h2>
${moved.length > 0 ? moved.map((metric, index) => `${chartBlock(charts[index]!, index)}<p class="note">${escapeHtml(describeMetricChange(metric))}</p>`).join('\n') : '<p class="empty">None: every metric is within the noise.</p>'}
</section>
${metricsTable(comparison.metrics)}`;
  return htmlPage(`gauntlet compare: ${verdict}`, body, charts);
}

function listSection(id: string, title: string, items: string[], none: string): string {
  return `<section id="${id}"><h2>${title}${items.length > 0 ? ` (${items.length})` : ''}</h2>
${items.length > 0 ? `<ul>${items.map((item) => `<li>${item}</li>`).join('')}</ul>` : `<p class="empty">${none}</p>`}</section>`;
}

/** Bad news first: newly failing, newly flaky, then the rest. */
function caseChanges(comparison: Comparison): string[] {
  const kinds: [string, CaseChange[] | string[]][] = [
    ['newly failing', comparison.newlyFailing],
    ['newly flaky', comparison.newlyFlaky],
    ['flaky in both', comparison.stillFlaky],
    ['newly passing', comparison.newlyPassing],
    ['newly skipped', comparison.newlySkipped],
    ['only in A', comparison.onlyInA],
    ['only in B', comparison.onlyInB],
  ];
  return kinds.flatMap(([kind, changes]) =>
    changes.map((change) => {
      const { key, message } = typeof change === 'string' ? { key: change, message: undefined } : change;
      const reason = message ? `: ${escapeHtml(message.split('\n')[0]!)}` : '';
      return `<span class="badge ${kind === 'newly failing' ? 'failed' : kind === 'newly flaky' ? 'flaky' : ''}">${kind}</span> ${escapeHtml(key)}${reason}`;
    }),
  );
}

function metricsTable(metrics: MetricChange[]): string {
  const rows = metrics.map(
    (metric) =>
      `<tr data-verdict="${metric.verdict}"><td>${escapeHtml(metric.metric)}</td><td>${metric.verdict}${metric.enoughWith ? `: ${escapeHtml(describeRepeatAdvice(metric.enoughWith))}` : ''}</td><td class="num">${metric.valuesA.length}</td><td class="num">${metric.valuesB.length}</td><td class="num">${formatNumber(metric.medianA)}</td><td class="num">${formatNumber(metric.medianB)}</td><td>${escapeHtml(metric.unit)}</td><td class="num">${percent(metric.relativeChange)}</td><td class="num">${percent(metric.interval[0])} … ${percent(metric.interval[1])}</td><td class="num">${metric.pValue.toFixed(4)}</td><td class="num">${metric.noiseFloor === undefined ? '—' : `${(metric.noiseFloor * 100).toFixed(1)}%`}</td></tr>`,
  );
  return `<section id="metrics"><h2>Every metric (${metrics.length})</h2>
<table><thead><tr><th>metric</th><th>verdict</th><th>n A</th><th>n B</th><th>median A</th><th>median B</th><th>unit</th><th>change</th><th>${COMPARE.confidence * 100}% interval</th><th>p</th><th>noise floor</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}
