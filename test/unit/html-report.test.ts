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

  it('shows the matrix only for a record of two or more cells, and tells the cells apart in the lists', () => {
    expect(html).not.toContain('id="matrix"');
    const merged = renderHtmlReport(matrixRecord(), { artifactBase: '' });
    expect(merged).toContain('<section id="matrix"><h2>Matrix (5 cases × 2 cells)</h2>');
    expect(merged).toContain('title="MemAvailable fell by 10 MiB, expected &gt;= 64 &lt;balloon&gt;"');
    expect(merged).toContain('balloon › inflate-reduces-available · x86_64 / tcg / linux');
  });
});
