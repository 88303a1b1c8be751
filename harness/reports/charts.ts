/**
 * The HTML report's plots as Chart.js configurations, built from the run record. Plain data (no
 * callbacks), so they are embedded as JSON and the page only hands them to Chart.js.
 */
import type { ChartConfiguration } from 'chart.js';
import { REPORTS } from './limits.ts';
import { labelledCases } from './matrix.ts';
import { median } from '../metrics/percentile.ts';
import { VM_METRICS } from './metric-names.ts';
import { allCases, metricSamples, type RunRecord, type Series } from './run-record.ts';

export interface ChartSpec {
  title: string;
  config: ChartConfiguration;
}

/** The metric every boot of every case records (the vm fixture): VMM start to the first exec. */
export const BOOT_METRIC = VM_METRICS.firstExec;

/** Colour-blind-safe (Okabe–Ito), so series stay apart for every reader. */
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

export function bootDistributionChart(record: RunRecord): ChartSpec | undefined {
  const boots = metricSamples(...allCases(record)).get(BOOT_METRIC);
  if (!boots) return undefined;
  const { unit, samples } = boots;
  const bins = histogram(samples, REPORTS.histogramMaxBins);
  return {
    title: `Boot time distribution (${samples.length} boot${samples.length === 1 ? '' : 's'})`,
    config: {
      type: 'bar',
      data: {
        labels: bins.map((bin) => (bin.from === bin.to ? `${Math.round(bin.from)} ${unit}` : `${Math.round(bin.from)}–${Math.round(bin.to)} ${unit}`)),
        datasets: [{ label: 'boots', data: bins.map((bin) => bin.count), backgroundColor: PALETTE[0] }],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { title: { display: true, text: `boot time (${unit})` } },
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'boots' } },
        },
      },
    },
  };
}

/** A series too short to plot, with the case (and attempt) it belongs to. */
export interface ShortSeries extends Series {
  title: string;
  name: string;
}

/**
 * One chart per attempt that recorded series (balloon target/actual, MemAvailable, host RSS,
 * footprints) of at least `minPoints` points; the shorter series apart, to be shown as numbers.
 */
export function timelineCharts(record: RunRecord, minPoints: number): { charts: ChartSpec[]; shortSeries: ShortSeries[] } {
  const charts: ChartSpec[] = [];
  const shortSeries: ShortSeries[] = [];
  for (const { entry, label } of labelledCases(record)) {
    entry.attempts.forEach((attempt, index) => {
      const title = entry.attempts.length > 1 ? `${label} · attempt ${index + 1}` : label;
      const entries = Object.entries(attempt.series);
      const plotted = entries.filter(([, series]) => series.points.length >= minPoints);
      shortSeries.push(...entries.filter(([, series]) => series.points.length < minPoints).map(([name, series]) => ({ title, name, ...series })));
      if (plotted.length > 0) charts.push(timelineChart(title, Object.fromEntries(plotted)));
    });
  }
  return { charts, shortSeries };
}

/**
 * A and B side by side for one metric of a comparison: every sample as a point (a strip plot, spread
 * sideways so equal values stay visible), and each side's median as a bar across its strip.
 */
export function comparisonStripChart(title: string, unit: string, valuesA: readonly number[], valuesB: readonly number[]): ChartSpec {
  const sides = [
    { label: 'A', values: valuesA, x: 0, colour: PALETTE[0]! },
    { label: 'B', values: valuesB, x: 1, colour: PALETTE[1]! },
  ];
  // A fixed spread (golden-ratio steps), not a random one: the same records draw the same page.
  const spread = (index: number) => (((index * 0.618_034) % 1) - 0.5) * 0.5;
  return {
    title,
    config: {
      type: 'scatter',
      data: {
        datasets: [
          ...sides.map((side) => ({
            label: `${side.label} (${side.values.length} samples)`,
            data: side.values.map((value, index) => ({ x: side.x + spread(index), y: value })),
            backgroundColor: side.colour,
            borderColor: side.colour,
            pointRadius: 3,
          })),
          ...sides.map((side) => ({
            type: 'line' as const,
            label: `${side.label} median`,
            data: [-0.35, 0.35].map((offset) => ({ x: side.x + offset, y: median(side.values) })),
            borderColor: side.colour,
            backgroundColor: side.colour,
            borderWidth: 3,
            pointRadius: 0,
          })),
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { type: 'linear', min: -0.6, max: 1.6, ticks: { display: false }, grid: { display: false }, title: { display: true, text: 'A (left) · B (right)' } },
          y: { title: { display: true, text: unit } },
        },
      },
    },
  };
}

function timelineChart(title: string, series: Record<string, Series>): ChartSpec {
  // One y axis per unit: MiB and % on one axis would flatten one of them.
  const units = [...new Set(Object.values(series).map((s) => s.unit))];
  const axisOf = (unit: string) => (units.indexOf(unit) === 0 ? 'y' : `y${units.indexOf(unit)}`);
  const scales: Record<string, object> = {
    x: { type: 'linear', title: { display: true, text: 'seconds' } },
  };
  units.forEach((unit, index) => {
    scales[axisOf(unit)] = { position: index % 2 === 0 ? 'left' : 'right', title: { display: true, text: unit }, grid: { drawOnChartArea: index === 0 } };
  });
  return {
    title,
    config: {
      type: 'line',
      data: {
        datasets: Object.entries(series).map(([name, { unit, points }], index) => ({
          label: `${name} (${unit})`,
          data: points.map((point) => ({ x: point.atMs / 1000, y: point.value })),
          yAxisID: axisOf(unit),
          borderColor: PALETTE[index % PALETTE.length],
          backgroundColor: PALETTE[index % PALETTE.length],
          pointRadius: points.length > 60 ? 0 : 2,
        })),
      },
      options: { animation: false, maintainAspectRatio: false, parsing: false, scales },
    },
  };
}

export interface HistogramBin {
  from: number;
  to: number;
  count: number;
}

/** Equal-width bins, √n of them (at most `maxBins`), spanning the samples. */
export function histogram(values: number[], maxBins: number): HistogramBin[] {
  const low = Math.min(...values);
  const high = Math.max(...values);
  const count = high === low ? 1 : Math.min(maxBins, Math.max(1, Math.ceil(Math.sqrt(values.length))));
  const width = (high - low) / count;
  const bins = Array.from({ length: count }, (_, index) => ({ from: low + index * width, to: low + (index + 1) * width, count: 0 }));
  for (const value of values) bins[width === 0 ? 0 : Math.min(count - 1, Math.floor((value - low) / width))]!.count++;
  return bins;
}
