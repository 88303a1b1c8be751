/**
 * A CI job's summary of a run: `tsx scripts/job-summary.ts RUN.json [--baseline A.json --from TEXT
 * --metrics warn|gate --gate-cell CELL...]`. Appends the Markdown to $GITHUB_STEP_SUMMARY (stdout without one), prints
 * each warning as a `::warning::` annotation, and exits 1 when the comparison fails the job (exit 2 on
 * bad input), so a workflow step can gate on it. See harness/reports/job-summary.ts.
 */
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { jobVerdict, type MetricGating } from '../harness/reports/job-summary.ts';
import { readRunJson } from '../harness/reports/run-json.ts';

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { baseline: { type: 'string' }, from: { type: 'string' }, metrics: { type: 'string' }, 'gate-cell': { type: 'string', multiple: true } } });
  const metrics = values.metrics ?? 'warn';
  if (positionals.length !== 1 || (metrics !== 'warn' && metrics !== 'gate')) {
    console.error('usage: job-summary RUN.json [--baseline A.json --from TEXT --metrics warn|gate --gate-cell CELL...]');
    return 2;
  }
  const baseline = values.baseline
    ? { record: readRunJson(values.baseline), from: values.from ?? values.baseline, metrics: metrics as MetricGating, gateCells: values['gate-cell'] ?? [] }
    : undefined;
  const verdict = jobVerdict(readRunJson(positionals[0]!), baseline);
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) appendFileSync(summaryFile, verdict.markdown);
  else process.stdout.write(verdict.markdown);
  for (const warning of verdict.warnings) console.log(`::warning::${warning}`);
  return verdict.regressed ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`job-summary: ${(error as Error).message.split('\n')[0]}`);
  process.exitCode = 2;
}
