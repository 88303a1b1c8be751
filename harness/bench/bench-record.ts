/**
 * The bench's samples as a run record's cases, under stable metric names, so `gauntlet compare`
 * tracks the harness's own speed like any metric; and the figures as the bench prints them.
 */
import { BENCH } from './limits.ts';
import { median, percentile } from '../metrics/percentile.ts';
import type { CaseAttempt, CaseRecord, Metric } from '../reports/run-record.ts';
import { VM_METRICS } from '../reports/metric-names.ts';
import type { BenchSamples } from './measure.ts';

export const BENCH_GROUP = 'bench';
export const BENCH_METRICS = {
  rawBoot: 'raw VMM boot to first init line',
  coldReady: 'create to first exec (cold)',
  restoreReady: 'create to first exec (restored)',
  coldOverRaw: 'cold ready ÷ raw boot',
  restoreOverCold: 'restore ready ÷ cold ready',
  execRoundTrip: VM_METRICS.execRoundTrip,
  harnessCpu: 'harness share of CPU',
} as const;

/** Ratios round by round: each round's phases ran back to back, under the same load. */
function pairwise(numerators: number[], denominators: number[]): number[] {
  return numerators.map((value, index) => value / denominators[index]!);
}

export function benchCases(samples: BenchSamples, durationMs: number): CaseRecord[] {
  const ms = (values: number[]): Metric => ({ unit: 'ms', better: 'lower', samples: values });
  const ratio = (values: number[]): Metric => ({ unit: 'x', better: 'lower', samples: values });
  const entry = (id: string, metrics: Record<string, Metric>, skipped?: string): CaseRecord => {
    const attempt: CaseAttempt = {
      outcome: skipped ? 'skipped' : 'passed',
      durationMs,
      retries: 0,
      ...(skipped ? { message: skipped } : {}),
      metrics: skipped ? {} : metrics,
      series: {},
      artifacts: {},
      consoleTails: {},
    };
    return { group: BENCH_GROUP, id, file: 'harness/bench', outcome: attempt.outcome, attempts: [attempt] };
  };
  return [
    entry('raw-boot', { [BENCH_METRICS.rawBoot]: ms(samples.rawBootMs) }, samples.rawBootUnavailable && `not available: ${samples.rawBootUnavailable}`),
    entry('cold-ready', {
      [BENCH_METRICS.coldReady]: ms(samples.coldReadyMs),
      ...(samples.rawBootUnavailable ? {} : { [BENCH_METRICS.coldOverRaw]: ratio(pairwise(samples.coldReadyMs, samples.rawBootMs)) }),
    }),
    entry(
      'restore-ready',
      {
        [BENCH_METRICS.restoreReady]: ms(samples.restoreReadyMs),
        [BENCH_METRICS.restoreOverCold]: ratio(pairwise(samples.restoreReadyMs, samples.coldReadyMs)),
      },
      samples.restoreUnavailable && `not available: ${samples.restoreUnavailable}`,
    ),
    entry('exec-round-trip', { [BENCH_METRICS.execRoundTrip]: ms(samples.execRoundTripMs) }),
    entry('harness-cpu', { [BENCH_METRICS.harnessCpu]: { unit: '%', better: 'lower', samples: samples.harnessCpuPercent } }, samples.harnessCpuUnavailable && `not available: ${samples.harnessCpuUnavailable}`),
  ];
}

/** The figures: medians, the ratios of the medians, exec p50/p99, each beside its target. */
export function benchSummary(samples: BenchSamples): string[] {
  const { targets } = BENCH;
  const cold = median(samples.coldReadyMs);
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const raw = samples.rawBootUnavailable ? undefined : median(samples.rawBootMs);
  const lines = [
    raw === undefined
      ? `raw boot: not available (${samples.rawBootUnavailable})`
      : `raw boot (the VMM alone, to the init's first line): median ${raw.toFixed(0)} ms over ${samples.rawBootMs.length}`,
    `cold ready (create → first exec):               median ${cold.toFixed(0)} ms over ${samples.coldReadyMs.length}`,
  ];
  if (samples.restoreReadyMs.length > 0) {
    lines.push(`restore ready (create → first exec):            median ${median(samples.restoreReadyMs).toFixed(0)} ms over ${samples.restoreReadyMs.length}`);
  } else {
    lines.push(`restore ready: not available (${samples.restoreUnavailable})`);
  }
  if (raw !== undefined) lines.push(`cold ÷ raw: ${(cold / raw).toFixed(3)} (target ≤ ${targets.coldOverRaw}: ${verdict(cold / raw <= targets.coldOverRaw)})`);
  if (samples.restoreReadyMs.length > 0) {
    const restoreOverCold = median(samples.restoreReadyMs) / cold;
    lines.push(`restore ÷ cold: ${restoreOverCold.toFixed(3)} (target ≤ ${targets.restoreOverCold}: ${verdict(restoreOverCold <= targets.restoreOverCold)})`);
  }
  const p50 = percentile(samples.execRoundTripMs, 50);
  lines.push(
    `exec round trip: p50 ${p50.toFixed(0)} ms, p99 ${percentile(samples.execRoundTripMs, 99).toFixed(0)} ms over ${samples.execRoundTripMs.length} (target p50 ≤ ${targets.execP50Ms} ms: ${verdict(p50 <= targets.execP50Ms)})`,
  );
  if (!samples.harnessCpuUnavailable) {
    const share = median(samples.harnessCpuPercent);
    lines.push(`harness share of CPU (all but the VMM): median ${share.toFixed(1)} % (target ≤ ${targets.harnessCpuPercent} %: ${verdict(share <= targets.harnessCpuPercent)})`);
  } else {
    lines.push(`harness share of CPU: not available (${samples.harnessCpuUnavailable})`);
  }
  return lines;
}
