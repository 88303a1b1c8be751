/**
 * Opens the HTML report in Debian's headless Chromium (playwright-core drives the installed binary;
 * nothing is downloaded) and checks what a reader would see: no script errors, failures before
 * the plots, every plot drawn by Chart.js, and the matrix of a merged record of two cells.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHtmlReport } from '../../harness/reports/html-report.ts';
import type { RunRecord } from '../../harness/reports/run-record.ts';
import { hasChromium, NO_CHROMIUM, openPage } from './fixtures/chromium-page.ts';
import { AARCH64_BALLOON_SKIP, matrixRecord, sampleRecord, X86_BALLOON_FAILURE } from './fixtures/sample-record.ts';


interface DrawnChart {
  title: string | null;
  chartType: string | undefined;
  /** Per dataset: how many pixels of the plot area carry its colour, i.e. how much of it was drawn. */
  pixelsPerDataset: number[];
}

/** Runs in the page: what Chart.js made of each canvas, and how much of each dataset is on it. */
const INSPECT_CHARTS = `[...document.querySelectorAll('canvas[data-chart]')].map((canvas) => {
  const chart = Chart.getChart(canvas);
  // Only the plot area: the legend shows every dataset's colour even when nothing was plotted.
  const area = chart.chartArea;
  const pixels = canvas.getContext('2d').getImageData(area.left, area.top, area.right - area.left, area.bottom - area.top).data;
  const pixelsOfColour = (hex) => {
    const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
    let count = 0;
    for (let at = 0; at < pixels.length; at += 4) if (pixels[at] === r && pixels[at + 1] === g && pixels[at + 2] === b && pixels[at + 3] === 255) count++;
    return count;
  };
  return {
    title: canvas.getAttribute('aria-label'),
    chartType: chart?.config.type,
    pixelsPerDataset: (chart?.data.datasets ?? []).map((dataset) => pixelsOfColour(dataset.backgroundColor)),
  };
})`;

const SECTION_ORDER = `[...document.querySelectorAll('body > header, body > section')].map((element) => element.id)`;
const FIRST_FAILURE = `document.querySelector('#failures article h3').textContent`;
const CONSOLE_TEXT = `document.querySelector('#failures pre.console').textContent`;


interface RenderedMatrix {
  columns: string[];
  /** Per row: the case, then each cell's badge text (or "—"). */
  rows: string[][];
  balloonTitles: (string | null)[];
  failedBackground: string;
  passedBackground: string;
}

/** Runs in the page: the matrix as a reader sees it. */
const READ_MATRIX = `(() => {
  const table = document.querySelector('#matrix table.matrix');
  const rows = [...table.querySelectorAll('tbody tr')];
  const cellText = (td) => (td.querySelector('.badge') ?? td).textContent.trim();
  const balloon = rows.find((row) => row.querySelector('th').textContent === 'balloon › inflate-reduces-available');
  return {
    columns: [...table.querySelectorAll('thead th')].slice(1).map((th) => th.firstChild.textContent),
    rows: rows.map((row) => [row.querySelector('th').textContent, ...[...row.querySelectorAll('td')].map(cellText)]),
    balloonTitles: [...balloon.querySelectorAll('td')].map((td) => td.getAttribute('title')),
    failedBackground: getComputedStyle(table.querySelector('td.failed')).backgroundColor,
    passedBackground: getComputedStyle(table.querySelector('td.passed')).backgroundColor,
  };
})()`;

describe('HTML report in headless Chromium', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gauntlet-html-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Opens the report of `record` in Chromium and hands the page to `inspect`, with what went wrong on the way. */
  async function openReport(record: RunRecord, inspect: (page: Page, problems: string[], requests: string[], file: string) => Promise<void>): Promise<void> {
    const file = path.join(dir, 'index.html');
    writeHtmlReport(record, file, dir);
    await openPage(file, (page, problems, requests) => inspect(page, problems, requests, file));
  }

  it('renders without errors, failures first, with every plot drawn', { timeout: 60_000 }, async ({ skip }) => {
    if (!hasChromium()) skip(NO_CHROMIUM);
    await openReport(sampleRecord(), async (page, problems, requests, file) => {
      const charts = (await page.evaluate(INSPECT_CHARTS)) as DrawnChart[];
      expect(problems).toEqual([]);
      expect(requests, 'self-contained: the page loads nothing but itself').toEqual([pathToFileURL(file).href]);
      expect(await page.evaluate(SECTION_ORDER)).toEqual(['summary', 'failures', 'plots', 'metrics', 'cases', 'environment']);
      expect(await page.evaluate(FIRST_FAILURE)).toContain('lifecycle › destroy-leaves-nothing');
      expect(await page.evaluate(CONSOLE_TEXT), 'the console tail is shown as text, not markup').toContain('<script>alert(1)</script>');

      expect(charts.map((chart) => [chart.title, chart.chartType])).toEqual([
        ['Boot time distribution (2 boots)', 'bar'],
        ['balloon › inflate-reduces-available · attempt 1', 'line'],
        ['balloon › inflate-reduces-available · attempt 2', 'line'],
        ['disk › fill-delete-cycles · attempt 1', 'line'],
        ['disk › fill-delete-cycles · attempt 2', 'line'],
      ]);
      expect(charts.map((chart) => chart.pixelsPerDataset.length)).toEqual([1, 4, 4, 1, 1]);
      for (const chart of charts) {
        for (const [dataset, pixels] of chart.pixelsPerDataset.entries()) {
          expect(pixels, `${chart.title}: dataset ${dataset} is drawn`).toBeGreaterThan(200);
        }
      }
    });
  });

  it('renders the matrix of a merged two-cell record: a row per case, a column per cell, shards folded', { timeout: 60_000 }, async ({ skip }) => {
    if (!hasChromium()) skip(NO_CHROMIUM);
    await openReport(matrixRecord(), async (page, problems) => {
      expect(problems).toEqual([]);
      expect(await page.evaluate(SECTION_ORDER)).toEqual(['summary', 'matrix', 'failures', 'plots', 'metrics', 'cases', 'environment']);
      const matrix = (await page.evaluate(READ_MATRIX)) as RenderedMatrix;
      expect(matrix.columns).toEqual(['x86_64 / tcg / linux', 'aarch64 / tcg / linux']);
      expect(matrix.rows).toEqual([
        ['lifecycle › boot-to-ready', 'passed', 'passed'],
        ['lifecycle › stop-start-preserves-disk', 'skipped', 'skipped'],
        ['balloon › inflate-reduces-available', 'failed', 'skipped'],
        ['disk › fill-delete-cycles', 'passed', '—'],
        ['agent › exec-echo', 'passed', 'flaky'],
      ]);
      expect(matrix.balloonTitles, 'the failure message and the skip note are the cells\' tooltips').toEqual([X86_BALLOON_FAILURE, AARCH64_BALLOON_SKIP]);
      expect(matrix.failedBackground, 'a failed cell stands out from a passed one').not.toBe(matrix.passedBackground);
    });
  });
});
