/**
 * `gauntlet compare A B --html FILE` opened in headless Chromium: the verdict first, then what
 * differs between the environments, the newly failing case, and for the metric that moved both
 * distributions drawn side by side, every sample a point.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../../harness/reports/compare.ts';
import { writeComparisonHtml } from '../../harness/reports/compare-html.ts';
import { hasChromium, NO_CHROMIUM, openPage } from './fixtures/chromium-page.ts';
import { attempt, bootTimes, oneRun } from './fixtures/sample-record.ts';

interface RenderedComparison {
  sections: string[];
  verdict: string;
  environment: string[];
  caseChanges: string[];
  charts: { title: string | null; type: string | undefined; points: number[] }[];
  movedRows: string[];
}

/** Runs in the page: what a reader sees, and what Chart.js made of each canvas. */
const READ_PAGE = `(() => ({
  sections: [...document.querySelectorAll('body > header, body > section')].map((element) => element.id),
  verdict: document.querySelector('#verdict h1').textContent,
  environment: [...document.querySelectorAll('#environment li')].map((li) => li.textContent),
  caseChanges: [...document.querySelectorAll('#cases li')].map((li) => li.textContent),
  charts: [...document.querySelectorAll('canvas[data-chart]')].map((canvas) => {
    const chart = Chart.getChart(canvas);
    return {
      title: canvas.getAttribute('aria-label'),
      type: chart?.config.type,
      points: chart.data.datasets.map((dataset, index) => chart.getDatasetMeta(index).data.filter((element) => Number.isFinite(element.x) && Number.isFinite(element.y)).length),
    };
  }),
  movedRows: [...document.querySelectorAll('#metrics tr[data-verdict="regressed"] td:first-child')].map((td) => td.textContent),
}))()`;

describe('compare page in headless Chromium', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'compare-html-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the verdict, the environment change, the newly failing case and both boot distributions side by side', { timeout: 60_000 }, async ({ skip }) => {
    if (!hasChromium()) skip(NO_CHROMIUM);
    const a = oneRun(bootTimes(25, 2_500, 1));
    const b = oneRun(bootTimes(25, 2_800, 2));
    b.parts[0]!.environment.vmmVersion = 'QEMU emulator version 9.2.0 <slow build>';
    const failing = b.parts[0]!.cases[0]!;
    failing.outcome = 'failed';
    failing.attempts.push(attempt({ outcome: 'failed', message: 'balloon inflate to 128 MiB: no reply <timeout>' }));
    const file = path.join(dir, 'compare.html');
    writeComparisonHtml(compareRuns(a, b), 'a/run.json', 'b/run.json', file);

    await openPage(file, async (page, problems, requests) => {
      const seen = (await page.evaluate(READ_PAGE)) as RenderedComparison;
      expect(problems).toEqual([]);
      expect(requests, 'self-contained: the page loads nothing but itself').toEqual([pathToFileURL(file).href]);
      expect(seen.sections).toEqual(['verdict', 'environment', 'cases', 'moved', 'metrics']);
      expect(seen.verdict).toBe('B regressed');
      expect(seen.environment).toEqual([
        'vmmVersion: QEMU emulator version 7.2.15 (Debian 1:7.2+dfsg-7+deb12u13) → QEMU emulator version 9.2.0 <slow build>',
      ]);
      expect(seen.caseChanges).toEqual(['newly failing balloon › case-0: balloon inflate to 128 MiB: no reply <timeout>']);
      expect(seen.charts.map((chart) => [chart.title?.replace(/[\d.]+%/, 'N%'), chart.type])).toEqual([['boot to first exec (regressed, +N%)', 'scatter']]);
      expect(seen.charts[0]!.points, 'every sample of A and of B a point, and each median a bar').toEqual([25, 25, 2, 2]);
      expect(seen.movedRows).toEqual(['boot to first exec']);
    });
  });
});
