/**
 * What every HTML page of the reports shares: escaping, number formats, the style sheet, chart
 * blocks and the inlined Chart.js that draws them. A page is self-contained: nothing is fetched.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ChartSpec } from './charts.ts';

/** A whole page: its body, then every chart's configuration, Chart.js and the code that hands one to the other. */
export function htmlPage(title: string, body: string, charts: readonly ChartSpec[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
${charts.map((chart, index) => `<script type="application/json" id="${chartId(index)}-config">${jsonForScript(chart.config)}</script>`).join('\n')}
<script>${inlineScript(chartJsSource())}</script>
<script>${DRAW_CHARTS}</script>
</body>
</html>
`;
}

/** The block that shows `charts[index]` of the page. */
export function chartBlock(chart: ChartSpec, index: number): string {
  return `<figure><figcaption>${escapeHtml(chart.title)}</figcaption><div class="chart"><canvas data-chart="${chartId(index)}" aria-label="${escapeHtml(chart.title)}"></canvas></div></figure>`;
}

function chartId(index: number): string {
  return `chart-${index}`;
}

/** Hands every embedded configuration to Chart.js; the page's only code of its own. */
const DRAW_CHARTS = `for (const canvas of document.querySelectorAll('canvas[data-chart]')) {
  new Chart(canvas, JSON.parse(document.getElementById(canvas.dataset.chart + '-config').textContent));
}`;

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

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

export function formatSeconds(ms: number): string {
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
