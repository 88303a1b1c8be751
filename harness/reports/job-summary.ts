/**
 * A CI job's verdict on a run, as Markdown for its summary page: the totals, a table of every case,
 * each failure with its first assertion line, and, given a baseline, the comparison with it.
 *
 * Where the two records come from decides what a comparison may fail. Timings of two hosted runners
 * differ by their CPUs, not by the runtime: there (`metrics: 'warn'`) only newly failing or newly flaky
 * cases fail, and a metric that moved is a warning. Only two runs made in the same environment (a
 * pinned self-hosted runner, or both builds on one runner in one job) may fail on a metric (`'gate'`).
 */
import { compareRuns, describeMetricChange, type CaseChange, type Comparison } from './compare.ts';
import { allCases, summaryLine, type RunRecord } from './run-record.ts';

export type MetricGating = 'gate' | 'warn';

export interface JobVerdict {
  markdown: string;
  /** One line each, for the log's annotations (`::warning::`). */
  warnings: string[];
  /** The comparison fails the job: a case newly failing or flaky, or (gating metrics) a metric regressed. */
  regressed: boolean;
}

export interface Baseline {
  record: RunRecord;
  /** Where it came from, for the reader: "run.json of release v1.2". */
  from: string;
  metrics: MetricGating;
  /**
   * Matrix cells (`matrixCell()`: "aarch64 / hvf / darwin") whose metrics gate even when `metrics` is
   * 'warn': a cell that runs on one pinned machine every time compares like with like.
   */
  gateCells?: string[];
}

export function jobVerdict(record: RunRecord, baseline?: Baseline): JobVerdict {
  const lines = ['## gauntlet', '', `\`${summaryLine(record.totals)}\``, ''];
  lines.push(...caseTable(record), '');
  const failures = allCases(record).filter((entry) => entry.outcome === 'failed' || entry.outcome === 'flaky');
  if (failures.length > 0) {
    lines.push('### Failures', '');
    for (const entry of failures) {
      const message = entry.attempts.find((attempt) => attempt.outcome === 'failed')?.message ?? '';
      lines.push(`- **${entry.id}** (${entry.outcome}): ${inlineCode(firstLine(message))}`);
    }
    lines.push('');
  }
  if (!baseline) {
    lines.push('No baseline record: this run is compared with nothing.');
    return { markdown: lines.join('\n') + '\n', warnings: [], regressed: false };
  }
  return withComparison(lines, compareRuns(baseline.record, record), baseline);
}

function withComparison(lines: string[], comparison: Comparison, baseline: Baseline): JobVerdict {
  const caseRegressions = [...comparison.newlyFailing.map((c) => describe('newly failing', c)), ...comparison.newlyFlaky.map((c) => describe('newly flaky', c))];
  const gates = (metric: string) => baseline.metrics === 'gate' || (baseline.gateCells ?? []).some((cell) => metric.endsWith(` · ${cell}`));
  const moved = comparison.metrics.filter((metric) => metric.verdict === 'regressed');
  const describeMove = (metric: (typeof moved)[number]) => `metric regressed: ${metric.metric}: ${describeMetricChange(metric)}`;
  const gatingMoves = moved.filter((metric) => gates(metric.metric)).map(describeMove);
  const warningMoves = moved.filter((metric) => !gates(metric.metric)).map(describeMove);
  const regressed = caseRegressions.length > 0 || gatingMoves.length > 0;
  lines.push(`### Compared with ${baseline.from}`, '');
  lines.push(gatingText(baseline), '');
  if (comparison.environmentChanges.length > 0) lines.push(`Environment changed: ${comparison.environmentChanges.map(inlineCode).join(', ')}`, '');
  for (const line of [...caseRegressions, ...gatingMoves]) lines.push(`- ${line}`);
  for (const line of warningMoves) lines.push(`- ${line} (warning)`);
  if (caseRegressions.length + moved.length === 0) lines.push('Nothing regressed.');
  lines.push('', regressed ? '**Verdict: regressed.**' : '**Verdict: no worse than the baseline.**');
  return { markdown: lines.join('\n') + '\n', warnings: warningMoves, regressed };
}

function gatingText(baseline: Baseline): string {
  if (baseline.metrics === 'gate') return 'Metrics gate here: both records were made in the same environment, so a metric that regressed fails the job, as does a case newly failing or flaky.';
  const pinned = baseline.gateCells?.length ? ` Metrics of ${baseline.gateCells.map(inlineCode).join(', ')} gate: that cell runs on one pinned machine.` : '';
  return `Cases gate, metrics warn: the two records come from different machines (hosted runners differ by CPU), so a case newly failing or flaky fails the job and a metric that moved is a warning.${pinned}`;
}

function caseTable(record: RunRecord): string[] {
  const cells = record.parts.length > 1;
  const rows = record.parts.flatMap((part) =>
    part.cases.map((entry) => {
      const note = entry.outcome === 'skipped' ? firstLine(entry.attempts[0]?.message ?? '') : '';
      const cell = cells ? ` ${part.environment.arch} / ${part.environment.accelerator} |` : '';
      return `| ${entry.group ? `${entry.group} › ` : ''}${entry.id} |${cell} ${entry.outcome} | ${escapeCell(note)} |`;
    }),
  );
  return [cells ? '| case | cell | outcome | note |' : '| case | outcome | note |', cells ? '|---|---|---|---|' : '|---|---|---|', ...rows];
}

function describe(what: string, change: CaseChange): string {
  const reason = firstLine(change.message ?? '');
  return `${what}: ${change.key}${reason ? `: ${inlineCode(reason)}` : ''}`;
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
}

function inlineCode(text: string): string {
  return text ? `\`${text.replaceAll('`', "'")}\`` : '';
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|');
}
