import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVitest } from 'vitest/node';
import { GauntletReporter, type CollectedRun } from '../../harness/reports/gauntlet-reporter.ts';

const recorder = path.resolve('harness/vitest/case-recorder.ts');
const holdsModule = path.resolve('harness/assert/holds.ts');

/** A suite as the cases write them, without VMs: metrics, series, a kept console, a skip, a failure. */
const SAMPLE_SUITE = `
import { describe, expect, test } from 'vitest';
import { recordMetric, recordSeries } from ${JSON.stringify(recorder)};
import { holds } from ${JSON.stringify(holdsModule)};

describe('lifecycle', () => {
  test('boot-to-ready', ({ task }) => {
    recordMetric(task, 'boot', 2777, 'ms');
    recordMetric(task, 'boot', 2801, 'ms');
    recordMetric(task, 'fill', 120, 'MiB/s');
    recordSeries(task, 'balloon actual', 'MiB', [{ atMs: 0, value: 256 }, { atMs: 250, value: 128 }]);
  });
  test('destroy-leaves-nothing', ({ task }) => {
    task.meta.artifacts = { 'vm: serial console': 'artifacts/vm/console.log', 'vm: command line': 'artifacts/vm/cmdline.txt' };
    throw new Error('left behind: /tmp/gauntlet-x/vm.sock');
  });
  test('stop-start-preserves-disk', ({ skip }) => skip('runtime qemu lacks capability: stop-start'));
  test('two-vms-isolated', async ({ task }) => {
    task.meta.proof = { fault: 'shared-overlay', assertion: 'two-vms-isolated/bystander-free-bytes-unchanged' };
    await holds('two-vms-isolated/bystander-free-bytes-unchanged', () => expect(1, 'free bytes').toBe(2));
  });
});
`;

describe('GauntletReporter', () => {
  let dir: string;
  let collected: CollectedRun | undefined;
  const finished: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gauntlet-reporter-'));
    await writeFile(path.join(dir, 'sample.test.ts'), SAMPLE_SUITE);
    await writeFile(path.join(dir, 'broken.test.ts'), 'import { nothing } from "./no-such-module.ts";\nnothing();\n');
    const reportsDir = path.join(dir, 'reports');
    await mkdir(path.join(reportsDir, 'artifacts/vm'), { recursive: true });
    const console = Array.from({ length: 60 }, (_, line) => `line ${line}`).join('\n');
    await writeFile(path.join(reportsDir, 'artifacts/vm/console.log'), `${console}\n\u001b[1mready\u001b[0m\r\n`);
    const collector = new GauntletReporter(reportsDir, (line) => finished.push(line));
    const vitest = await startVitest('test', [], { root: dir, config: false, watch: false, reporters: [collector] });
    await vitest.close();
    collected = collector.collected;
    // The nested run's failures are the sample's by design; vitest would leave them as this worker's exit code.
    process.exitCode = 0;
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const attemptOf = (id: string) => collected!.cases.find((entry) => entry.id === id)!.attempt;

  it('records each case with its group, file, outcome and duration', () => {
    expect(collected!.cases.map((entry) => [entry.group, entry.id, entry.file, entry.attempt.outcome])).toEqual([
      ['lifecycle', 'boot-to-ready', 'sample.test.ts', 'passed'],
      ['lifecycle', 'destroy-leaves-nothing', 'sample.test.ts', 'failed'],
      ['lifecycle', 'stop-start-preserves-disk', 'sample.test.ts', 'skipped'],
      ['lifecycle', 'two-vms-isolated', 'sample.test.ts', 'failed'],
    ]);
    expect(attemptOf('boot-to-ready').durationMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps the named claim a failure broke, and the claim a fault test proves', () => {
    const failed = attemptOf('two-vms-isolated');
    expect(failed.failedAssertion).toBe('two-vms-isolated/bystander-free-bytes-unchanged');
    expect(failed.message).toMatch(/^assertion two-vms-isolated\/bystander-free-bytes-unchanged failed: free bytes: expected 1 to be 2/);
    expect(failed.proof).toEqual({ fault: 'shared-overlay', assertion: 'two-vms-isolated/bystander-free-bytes-unchanged' });
    expect(attemptOf('destroy-leaves-nothing').failedAssertion).toBeUndefined();
  });

  it('keeps every sample the case recorded under each metric name, with which way is better', () => {
    const boot = attemptOf('boot-to-ready');
    expect(boot.metrics).toEqual({ boot: { unit: 'ms', better: 'lower', samples: [2777, 2801] }, fill: { unit: 'MiB/s', better: 'higher', samples: [120] } });
    expect(boot.series['balloon actual']).toEqual({ unit: 'MiB', points: [{ atMs: 0, value: 256 }, { atMs: 250, value: 128 }] });
  });

  it('keeps the failure message, the artifacts and the last console lines without control characters', () => {
    const failed = attemptOf('destroy-leaves-nothing');
    expect(failed.message).toBe('left behind: /tmp/gauntlet-x/vm.sock');
    expect(Object.keys(failed.artifacts)).toEqual(['vm: serial console', 'vm: command line']);
    const tail = failed.consoleTails['vm: serial console']!.split('\n');
    expect(tail).toHaveLength(40);
    expect(tail.at(-1)).toBe('ready');
    expect(tail[0]).toBe('line 21');
  });

  it('keeps the note of a skip', () => {
    expect(attemptOf('stop-start-preserves-disk').message).toBe('runtime qemu lacks capability: stop-start');
  });

  it('tells of each case as it finishes, for progress in CI logs', () => {
    expect(finished.map((line) => line.replace(/\(\d+\.\d s\)$/, '(…)'))).toEqual([
      'passed lifecycle > boot-to-ready (…)',
      'failed lifecycle > destroy-leaves-nothing (…)',
      'skipped lifecycle > stop-start-preserves-disk (…)',
      'failed lifecycle > two-vms-isolated (…)',
    ]);
  });

  it('reports a test file that cannot be loaded, so the run counts as not made', () => {
    expect(collected!.loadErrors).toHaveLength(1);
    expect(collected!.loadErrors[0]).toMatch(/^broken\.test\.ts: .*no-such-module/);
  });
});
