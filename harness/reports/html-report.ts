/**
 * index.html: one self-contained page (styles, data and Chart.js inlined; nothing is fetched), bad
 * news first: summary, the matrix of cases by cell (when the record spans several cells), then
 * failures with their console tails and artifacts, then the plots, the metrics, every case and the
 * environment.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { bootDistributionChart, timelineCharts, type ChartSpec } from './charts.ts';
import { caseMatrix, labelledCases, type CaseMatrix, type LabelledCase, type MatrixEntry } from './matrix.ts';
import {
  caseDurationMs,
  matrixCell,
  metricSamples,
  partFacts,
  runFailed,
  summaryLine,
  type CaseAttempt,
  type RunRecord,
} from './run-record.ts';

export interface HtmlReportOptions {
  /** Path from the page to the directory run.json's artifact paths are relative to ('' when the same). */
  artifactBase: string;
}

export function writeHtmlReport(record: RunRecord, file: string, recordDir: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, renderHtmlReport(record, { artifactBase: path.relative(path.dirname(file), recordDir) }));
}

export function renderHtmlReport(record: RunRecord, options: HtmlReportOptions): string {
  const boot = bootDistributionChart(record);
  const timelines = timelineCharts(record);
  const charts = [...(boot ? [boot] : []), ...timelines];
  const chartId = (chart: ChartSpec) => `chart-${charts.indexOf(chart)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>microvm-gauntlet: ${escapeHtml(summaryLine(record.totals))}</title>
<style>${STYLE}</style>
</head>
<body>
${summarySection(record)}
${matrixSection(caseMatrix(record))}
${failuresSection(record, options)}
<section id="plots">
<h2>Boot time</h2>
${boot ? chartBlock(boot, chartId(boot)) : '<p class="empty">No case recorded a boot time.</p>'}
<h2>Timelines</h2>
${timelines.length > 0 ? timelines.map((chart) => chartBlock(chart, chartId(chart))).join('\n') : '<p class="empty">No case recorded a time series.</p>'}
</section>
${metricsSection(record)}
${casesSection(record)}
${environmentSection(record)}
${charts.map((chart) => `<script type="application/json" id="${chartId(chart)}-config">${jsonForScript(chart.config)}</script>`).join('\n')}
<script>${inlineScript(chartJsSource())}</script>
<script>${DRAW_CHARTS}</script>
</body>
</html>
`;
}

/** Hands every embedded configuration to Chart.js; the page's only code of its own. */
const DRAW_CHARTS = `for (const canvas of document.querySelectorAll('canvas[data-chart]')) {
  new Chart(canvas, JSON.parse(document.getElementById(canvas.dataset.chart + '-config').textContent));
}`;

function summarySection(record: RunRecord): string {
  const { totals } = record;
  const verdict = runFailed(totals) ? 'failed' : 'passed';
  const cells = record.parts.map((part) => {
    const env = part.environment;
    const shard = part.shard ? `shard ${part.shard.index}/${part.shard.count} · ` : '';
    return `<li>${shard}<b>${escapeHtml(matrixCell(env))}</b> (${escapeHtml(env.machine)}) · ${escapeHtml(env.acceleratorReason)} · ${escapeHtml(env.qemuVersion)} · guest kernel ${escapeHtml(env.guestKernel)} · image ${escapeHtml(env.imageHash.slice(0, 12))} · ${part.repeats} repeat${part.repeats === 1 ? '' : 's'} · took ${formatSeconds(part.durationMs)}</li>`;
  });
  return `<header id="summary" data-verdict="${verdict}">
<h1>microvm-gauntlet run</h1>
<p class="totals"><span class="count-failed">${totals.failed} failed</span> <span class="count-flaky">${totals.flaky} flaky</span> <span class="count-passed">${totals.passed} passed</span> <span class="count-skipped">${totals.skipped} skipped</span></p>
<p>Started ${escapeHtml(record.parts[0]?.startedAt ?? 'never')}.</p>
<ul>${cells.join('')}</ul>
</header>`;
}

/** Only for a record of two or more cells: with one cell the case list below says it all. */
function matrixSection(matrix: CaseMatrix): string {
  if (matrix.columns.length < 2) return '';
  const headers = matrix.columns.map((column) => {
    const shards = column.parts > 1 ? `${column.parts} shards · ` : '';
    const tally = (['failed', 'flaky', 'passed', 'skipped'] as const)
      .filter((outcome) => column.totals[outcome] > 0)
      .map((outcome) => `${column.totals[outcome]} ${outcome}`)
      .join(', ');
    return `<th scope="col">${escapeHtml(column.cell)}<div class="note">${shards}${tally}</div></th>`;
  });
  const rows = matrix.rows.map((row) => `<tr><th scope="row">${escapeHtml(row.key)}</th>${row.entries.map(matrixEntry).join('')}</tr>`);
  return `<section id="matrix"><h2>Matrix (${matrix.rows.length} cases × ${matrix.columns.length} cells)</h2>
<table class="matrix"><thead><tr><th scope="col">case</th>${headers.join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

function matrixEntry(entry: MatrixEntry | undefined): string {
  if (!entry) return '<td class="outcome absent" title="this cell did not run the case">—</td>';
  const note = entry.note ? ` title="${escapeHtml(entry.note)}"` : '';
  const shortNote = entry.note ? `<span class="cell-note">${escapeHtml(entry.note)}</span>` : '';
  return `<td class="outcome ${entry.outcome}"${note}><span class="badge ${entry.outcome}">${entry.outcome}</span>${shortNote}</td>`;
}

function failuresSection(record: RunRecord, options: HtmlReportOptions): string {
  const failing = labelledCases(record).filter(({ entry }) => entry.outcome === 'failed' || entry.outcome === 'flaky');
  if (failing.length === 0) return '<section id="failures"><h2>Failures</h2><p class="empty">None.</p></section>';
  return `<section id="failures"><h2>Failures (${failing.length})</h2>
${failing.map((labelled) => failureBlock(labelled, options)).join('\n')}
</section>`;
}

function failureBlock({ entry, label }: LabelledCase, options: HtmlReportOptions): string {
  const attempts = entry.attempts
    .map((attempt, index) => ({ attempt, index }))
    .filter(({ attempt }) => attempt.outcome === 'failed' || attempt.retries > 0);
  const failed = entry.attempts.filter((attempt) => attempt.outcome === 'failed').length;
  const tally = entry.attempts.length > 1 ? ` <span class="note">failed ${failed} of ${entry.attempts.length} attempts</span>` : '';
  return `<article class="failure">
<h3><span class="badge ${entry.outcome}">${entry.outcome}</span> ${escapeHtml(label)}${tally}</h3>
${attempts.map(({ attempt, index }) => attemptDetail(attempt, entry.attempts.length > 1 ? `attempt ${index + 1}` : '', options)).join('\n')}
</article>`;
}

function attemptDetail(attempt: CaseAttempt, label: string, options: HtmlReportOptions): string {
  const consoles = Object.entries(attempt.consoleTails).map(
    ([name, tail]) => `<details open><summary>${escapeHtml(name)} (last lines)</summary><pre class="console">${escapeHtml(tail)}</pre></details>`,
  );
  const links = Object.entries(attempt.artifacts).map(
    ([name, file]) => `<li><a href="${escapeHtml(artifactHref(file, options))}">${escapeHtml(name)}</a> <code>${escapeHtml(file)}</code></li>`,
  );
  const retried = attempt.retries > 0 ? ` <span class="note">${attempt.retries} retries</span>` : '';
  return `<div class="attempt">${label ? `<h4>${escapeHtml(label)}${retried}</h4>` : retried}
<pre class="message">${escapeHtml(attempt.message ?? 'passed after a retry')}</pre>
${consoles.join('\n')}
${links.length > 0 ? `<ul class="artifacts">${links.join('')}</ul>` : ''}
</div>`;
}

function chartBlock(chart: ChartSpec, id: string): string {
  return `<figure><figcaption>${escapeHtml(chart.title)}</figcaption><div class="chart"><canvas data-chart="${id}" aria-label="${escapeHtml(chart.title)}"></canvas></div></figure>`;
}

function metricsSection(record: RunRecord): string {
  const rows = labelledCases(record).flatMap(({ entry, label }) =>
    [...metricSamples(entry)].map(([name, { unit, samples }]) => {
      const sorted = [...samples].sort((x, y) => x - y);
      const cells = [median(sorted), sorted[0]!, sorted[sorted.length - 1]!].map((value) => `<td class="num">${formatNumber(value)}</td>`);
      return `<tr><td>${escapeHtml(label)}</td><td>${escapeHtml(name)}</td><td class="num">${samples.length}</td>${cells.join('')}<td>${escapeHtml(unit)}</td></tr>`;
    }),
  );
  if (rows.length === 0) return '<section id="metrics"><h2>Metrics</h2><p class="empty">No case recorded a metric.</p></section>';
  return `<section id="metrics"><h2>Metrics</h2>
<table><thead><tr><th>case</th><th>metric</th><th>samples</th><th>median</th><th>min</th><th>max</th><th>unit</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

function casesSection(record: RunRecord): string {
  const rows = labelledCases(record).map(({ entry, label }) => {
    const durationMs = caseDurationMs(entry);
    const retries = entry.attempts.reduce((total, attempt) => total + attempt.retries, 0);
    const note = entry.outcome === 'skipped' ? (entry.attempts[0]?.message ?? '') : '';
    return `<tr><td>${escapeHtml(label)}</td><td><span class="badge ${entry.outcome}">${entry.outcome}</span></td><td class="num">${formatSeconds(durationMs)}</td><td class="num">${entry.attempts.length}</td><td class="num">${retries}</td><td>${escapeHtml(note)}</td></tr>`;
  });
  return `<section id="cases"><h2>Cases (${rows.length})</h2>
<table><thead><tr><th>case</th><th>outcome</th><th>time</th><th>attempts</th><th>retries</th><th>note</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

function environmentSection(record: RunRecord): string {
  const tables = record.parts.map((part) => {
    const rows = Object.entries(partFacts(part)).map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`);
    return `<table class="facts">${rows.join('')}</table>`;
  });
  return `<section id="environment"><h2>Environment</h2>${tables.join('\n')}</section>`;
}

function artifactHref(file: string, options: HtmlReportOptions): string {
  return path.posix.join(options.artifactBase.split(path.sep).join('/'), file.split(path.sep).join('/'));
}

function chartJsSource(): string {
  // The UMD build is not in the package's exports map: find it beside the entry point.
  const entry = createRequire(import.meta.url).resolve('chart.js');
  return readFileSync(path.join(path.dirname(entry), 'chart.umd.min.js'), 'utf8');
}

/** Inside <script>, only "</script" can end the element early; "<\/" means the same to JavaScript. */
function inlineScript(source: string): string {
  return source.replaceAll('</script', '<\\/script');
}

function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

function median(sorted: number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

const STYLE = `
:root { font-family: system-ui, sans-serif; color: #1b1f24; background: #fafafa; }
body { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { margin: 0 0 .25rem; font-size: 1.5rem; }
h2 { margin-top: 2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; }
header { border-left: .5rem solid #1a7f37; padding: .5rem 1rem; background: #fff; }
header[data-verdict="failed"] { border-left-color: #cf222e; }
header ul { margin: .25rem 0 0; padding-left: 1.2rem; }
.totals span { margin-right: 1rem; font-weight: 600; }
.count-failed { color: #cf222e; } .count-flaky { color: #9a6700; } .count-passed { color: #1a7f37; } .count-skipped { color: #57606a; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .3rem; font-size: .8rem; color: #fff; background: #57606a; }
.badge.failed { background: #cf222e; } .badge.flaky { background: #bf8700; } .badge.passed { background: #1a7f37; }
.note { font-weight: normal; font-size: .85rem; color: #57606a; }
article.failure { background: #fff; border: 1px solid #d0d7de; border-radius: .4rem; padding: .5rem 1rem; margin: .75rem 0; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; padding: .5rem; border-radius: .3rem; font-size: .8rem; }
pre.console { max-height: 24rem; overflow: auto; background: #1b1f24; color: #e6edf3; }
figure { margin: 1rem 0; background: #fff; border: 1px solid #d0d7de; border-radius: .4rem; padding: .5rem; }
figcaption { font-weight: 600; margin-bottom: .25rem; }
.chart { position: relative; height: 18rem; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .9rem; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #eaeef2; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.facts th { width: 14rem; font-weight: 500; color: #57606a; }
table.matrix th[scope="row"] { font-weight: normal; white-space: nowrap; }
table.matrix thead th { white-space: nowrap; }
table.matrix td.outcome { max-width: 14rem; }
table.matrix td.failed { background: #ffebe9; } table.matrix td.flaky { background: #fff8c5; }
table.matrix td.absent { color: #8c959f; padding-left: 1rem; }
.cell-note { display: block; font-size: .75rem; color: #57606a; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.empty { color: #57606a; font-style: italic; }
`;
