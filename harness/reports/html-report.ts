/**
 * index.html: one self-contained page (styles, data and Chart.js inlined; nothing is fetched), bad
 * news first: summary, the matrix of cases by cell (when the record spans several cells), then
 * failures with their console tails and artifacts, then the plots (the distribution of every boot
 * of the run; timelines, a series of fewer than three points as numbers), the metrics (median, p90
 * and sample count of each, pooled over the run's cases), every case and the environment.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPORTS } from './limits.ts';
import { median, percentile } from '../metrics/percentile.ts';
import { bootDistributionChart, timelineCharts, type ShortSeries } from './charts.ts';
import { chartBlock, escapeHtml, formatNumber, formatSeconds, htmlPage } from './html-page.ts';
import { caseMatrix, labelledCases, spansCells, type CaseMatrix, type LabelledCase, type MatrixEntry } from './matrix.ts';
import {
  caseDurationMs,
  matrixCell,
  metricSamples,
  partFacts,
  partsByCell,
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
  const { charts: timelines, shortSeries } = timelineCharts(record, REPORTS.minSeriesPointsToPlot);
  const charts = [...(boot ? [boot] : []), ...timelines];
  const body = `${summarySection(record)}
${matrixSection(caseMatrix(record))}
${failuresSection(record, options)}
<section id="plots">
<h2>Boot time</h2>
${boot ? chartBlock(boot, 0) : '<p class="empty">No case recorded a boot time.</p>'}
<h2>Timelines</h2>
${timelines.map((chart) => chartBlock(chart, charts.indexOf(chart))).join('\n')}
${shortSeriesBlock(shortSeries)}
${timelines.length + shortSeries.length === 0 ? '<p class="empty">No case recorded a time series.</p>' : ''}
</section>
${metricsSection(record)}
${casesSection(record)}
${environmentSection(record)}`;
  return htmlPage(`microvm-gauntlet: ${summaryLine(record.totals)}`, body, charts);
}

/** Series too short to draw a line through: their points as numbers. */
function shortSeriesBlock(series: ShortSeries[]): string {
  if (series.length === 0) return '';
  const rows = series.map(
    ({ title, name, unit, points }) =>
      `<tr><td>${escapeHtml(title)}</td><td>${escapeHtml(name)}</td><td>${points.map((point) => `${formatNumber(point.value)} ${escapeHtml(unit)} at ${(point.atMs / 1000).toFixed(1)} s`).join('; ')}</td></tr>`,
  );
  return `<table class="short-series"><thead><tr><th>case</th><th>series</th><th>points</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function summarySection(record: RunRecord): string {
  const { totals } = record;
  const verdict = runFailed(totals) ? 'failed' : 'passed';
  const cells = record.parts.map((part) => {
    const env = part.environment;
    const shard = part.shard ? `shard ${part.shard.index}/${part.shard.count} · ` : '';
    return `<li>${shard}<b>${escapeHtml(matrixCell(env))}</b> (${escapeHtml([env.runtime, env.machine].filter(Boolean).join(', '))}) · ${escapeHtml(env.acceleratorReason)} · ${escapeHtml(env.vmmVersion ?? `VMM of ${env.runtime} not named`)} · guest kernel ${escapeHtml(env.guestKernel)} · image ${escapeHtml(env.imageHash.slice(0, 12))} · ${part.repeats} repeat${part.repeats === 1 ? '' : 's'} · took ${formatSeconds(part.durationMs)}</li>`;
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
  const claim = attempt.failedAssertion ? `<p class="claim">failed claim: <code>${escapeHtml(attempt.failedAssertion)}</code></p>` : '';
  return `<div class="attempt">${label ? `<h4>${escapeHtml(label)}${retried}</h4>` : retried}
${claim}<pre class="message">${escapeHtml(attempt.message ?? 'passed after a retry')}</pre>
${consoles.join('\n')}
${links.length > 0 ? `<ul class="artifacts">${links.join('')}</ul>` : ''}
</div>`;
}

/** Every metric name, its samples pooled over the run's cases and repeats (per cell), as compare pools them. */
function metricsSection(record: RunRecord): string {
  const withCell = spansCells(record);
  const rows = [...partsByCell(record.parts)].flatMap(([cell, parts]) =>
    [...metricSamples(...parts.flatMap((part) => part.cases))].map(([name, { unit, samples }]) => {
      const sorted = [...samples].sort((x, y) => x - y);
      const cells = [median(sorted), percentile(sorted, 90), sorted[0]!, sorted[sorted.length - 1]!].map((value) => `<td class="num">${formatNumber(value)}</td>`);
      return `<tr><td>${escapeHtml(withCell ? `${name} · ${cell}` : name)}</td><td class="num">${samples.length}</td>${cells.join('')}<td>${escapeHtml(unit)}</td></tr>`;
    }),
  );
  if (rows.length === 0) return '<section id="metrics"><h2>Metrics</h2><p class="empty">No case recorded a metric.</p></section>';
  return `<section id="metrics"><h2>Metrics (every sample of the run, pooled over its cases)</h2>
<table><thead><tr><th>metric</th><th>samples</th><th>median</th><th>p90</th><th>min</th><th>max</th><th>unit</th></tr></thead>
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
