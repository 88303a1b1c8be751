import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../harness/reports/html-report.ts';
import { assembleRecord } from '../../harness/reports/run-record.ts';
import { matrixRecord, sampleRecord } from './fixtures/sample-record.ts';

describe('HTML report', () => {
  const html = renderHtmlReport(sampleRecord(), { artifactBase: '' });

  it('is one self-contained file: no external scripts, styles or fonts', () => {
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/url\(\s*['"]?https?:/i);
    expect(html).toContain('Chart.js v4');
  });

  it('escapes what the guest and the cases wrote', () => {
    expect(html).toContain('ready &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('no reply within 75000 ms &lt;timeout&gt;');
    expect(html).not.toContain('<script>alert(1)');
  });

  it('links artifacts relative to where the page is written', () => {
    const elsewhere = renderHtmlReport(sampleRecord(), { artifactBase: '../reports' });
    expect(elsewhere).toContain('href="../reports/artifacts/repeat-1/suites_lifecycle_lifecycle.test.ts/destroy-leaves-nothing/destroy-leaves-nothing/console.log"');
  });

  it('says so when there is nothing to plot, instead of drawing empty charts', () => {
    const empty = renderHtmlReport(assembleRecord([]), { artifactBase: '' });
    expect(empty).toContain('No case recorded a boot time.');
    expect(empty).toContain('No case recorded a time series.');
    expect(empty).not.toContain('<canvas');
  });

  it('shows a series of fewer than three points as numbers, not as a chart', () => {
    const record = sampleRecord();
    const balloon = record.parts[0]!.cases.find((entry) => entry.id === 'inflate-reduces-available')!;
    balloon.attempts[0]!.series = { 'balloon actual': { unit: 'MiB', points: [{ atMs: 0, value: 256 }, { atMs: 1_500, value: 128 }] } };
    const page = renderHtmlReport(record, { artifactBase: '' });
    expect(page).toContain('<td>balloon › inflate-reduces-available · attempt 1</td><td>balloon actual</td><td>256 MiB at 0.0 s; 128 MiB at 1.5 s</td>');
    expect(page).not.toContain('aria-label="balloon › inflate-reduces-available · attempt 1"');
    expect(page).toContain('aria-label="balloon › inflate-reduces-available · attempt 2"');
  });

  it('gives every metric, pooled over the run, its sample count, median and p90', () => {
    expect(html).toContain('<th>metric</th><th>samples</th><th>median</th><th>p90</th>');
    expect(html).toContain('<tr><td>boot to first exec</td><td class="num">2</td><td class="num">2775</td><td class="num">2850</td>');
  });

  it('names the claim a failure broke in the failure list', () => {
    const html = renderHtmlReport(matrixRecord(), { artifactBase: '' });
    expect(html).toContain('<p class="claim">failed claim: <code>inflate-reduces-available/available-drops</code></p>');
  });

  it('shows the matrix only for a record of two or more cells, and tells the cells apart in the lists', () => {
    expect(html).not.toContain('id="matrix"');
    const merged = renderHtmlReport(matrixRecord(), { artifactBase: '' });
    expect(merged).toContain('<section id="matrix"><h2>Matrix (5 cases × 2 cells)</h2>');
    expect(merged).toContain('title="assertion inflate-reduces-available/available-drops failed: MemAvailable fell by 10 MiB, expected &gt;= 64 &lt;balloon&gt;"');
    expect(merged).toContain('balloon › inflate-reduces-available · x86_64 / tcg / linux');
  });
});
