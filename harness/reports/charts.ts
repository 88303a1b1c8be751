/**
 * The HTML report's plots as Chart.js configurations, built from the run record. Plain data (no
 * callbacks), so they are embedded as JSON and the page only hands them to Chart.js.
 */
import type { ChartConfiguration } from 'chart.js';
import { REPORTS } from '../config/constants.ts';
import { labelledCases } from './matrix.ts';
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

/** One chart per attempt that recorded series: balloon target/actual, MemAvailable, host RSS, footprints. */
export function timelineCharts(record: RunRecord): ChartSpec[] {
  return labelledCases(record).flatMap(({ entry, label }) =>
    entry.attempts.flatMap((attempt, index) =>
      Object.keys(attempt.series).length === 0 ? [] : [timelineChart(entry.attempts.length > 1 ? `${label} · attempt ${index + 1}` : label, attempt.series)],
    ),
  );
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
