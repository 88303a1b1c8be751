import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compareCommand } from '../../harness/cli/compare.ts';
import { COMPARE } from '../../harness/reports/limits.ts';
import { compareRuns, describeRepeatAdvice, samplesNeeded } from '../../harness/reports/compare.ts';
import { VM_METRICS } from '../../harness/reports/metric-names.ts';
import { bootstrapInterval, permutationPValue, splitHalfSpread } from '../../harness/reports/permutation-test.ts';
import { readRunJson, RunRecordError } from '../../harness/reports/run-json.ts';
import { assembleRecord, type RunRecord } from '../../harness/reports/run-record.ts';
import { attempt, bootAttempt, bootRecord, bootTimes, matrixRecord, oneRun, part } from './fixtures/sample-record.ts';

const BOOT = VM_METRICS.firstExec;
const RESAMPLING = { exactSplitsUpTo: COMPARE.exactSplitsUpTo, resamples: COMPARE.resamples, seed: 7 };

describe('permutation test on medians', () => {
  it('is exact for few samples: of the 252 splits of two separated groups of five, 12 move the medians as far', () => {
    expect(permutationPValue([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], RESAMPLING)).toBeCloseTo(12 / 252, 10);
  });

  it('finds no difference between identical samples', () => {
    expect(permutationPValue([3, 3, 3], [3, 3, 3], RESAMPLING)).toBe(1);
  });

  it('samples splits when there are too many to enumerate, and still separates shifted groups', () => {
    const p = permutationPValue(bootTimes(30, 2_800, 1), bootTimes(30, 3_400, 2), RESAMPLING);
    expect(p).toBeLessThan(0.01);
    expect(p).toBeGreaterThan(0);
  });

  it('needs eight samples a side to reach p < 0.01 on medians (means would need five)', () => {
    expect(samplesNeeded({ ...COMPARE, significance: 0.01 })).toBe(8);
  });

  it('gives a bootstrap interval of the relative change that holds the true shift', () => {
    const [low, high] = bootstrapInterval(bootTimes(25, 2_500, 1), bootTimes(25, 2_800, 2), 0.95, RESAMPLING);
    expect(low).toBeGreaterThan(0.05);
    expect(high).toBeLessThan(0.2);
    expect(low).toBeLessThan(0.12);
    expect(high).toBeGreaterThan(0.12);
  });

  it('learns a noise floor from how far a run moves against itself', () => {
    expect(splitHalfSpread(bootTimes(25, 2_500, 1), 8)).toBeLessThan(0.03);
    const drifting = [...bootTimes(12, 2_500, 1), ...bootTimes(13, 2_900, 2)];
    expect(splitHalfSpread(drifting, 8)).toBeGreaterThan(0.12);
    expect(splitHalfSpread([1, 2, 3], 8)).toBeUndefined();
  });
});

describe('compareRuns', () => {
  it('flags a case that fails only in B', () => {
    const comparison = compareRuns(bootRecord([2_800]), bootRecord([2_800], ['failed']));
    expect(comparison.newlyFailing.map((change) => change.key)).toEqual(['lifecycle › boot-to-ready']);
    expect(comparison.regressed).toBe(true);
  });

  it('pools every boot of one run across its cases and flags a build that boots 12 % slower', () => {
    const comparison = compareRuns(oneRun(bootTimes(25, 2_500, 1)), oneRun(bootTimes(25, 2_800, 2)));
    expect(comparison.metrics).toHaveLength(1);
    const [boot] = comparison.metrics;
    expect(boot).toMatchObject({ metric: BOOT, verdict: 'regressed' });
    expect([boot!.valuesA.length, boot!.valuesB.length]).toEqual([25, 25]);
    expect(boot!.relativeChange).toBeCloseTo(0.12, 1);
    expect(boot!.interval[0]).toBeGreaterThan(0);
    expect(comparison.regressed).toBe(true);
  });

  it('calls a build that boots 12 % faster an improvement, not a regression', () => {
    const comparison = compareRuns(oneRun(bootTimes(25, 2_800, 1)), oneRun(bootTimes(25, 2_500, 2)));
    expect(comparison.metrics[0]!.verdict).toBe('improved');
    expect(comparison.regressed).toBe(false);
  });

  // Twenty comparisons of 2000 resamples each: a few seconds of CPU, more on a host busy with VMs.
  it('stays quiet on two runs of the same build', { timeout: 60_000 }, () => {
    for (let seed = 1; seed <= 20; seed++) {
      const comparison = compareRuns(oneRun(bootTimes(25, 2_500, seed)), oneRun(bootTimes(25, 2_500, seed + 100)));
      expect(comparison.metrics.map((metric) => metric.verdict), `seed ${seed}`).toEqual(['unchanged']);
      expect(comparison.regressed, `seed ${seed}`).toBe(false);
    }
  });

  it('does not count a shift smaller than A moves against itself', () => {
    const drifting = [...bootTimes(12, 2_500, 1), ...bootTimes(13, 2_900, 2)];
    const comparison = compareRuns(oneRun(drifting), oneRun(bootTimes(25, 2_950, 3)));
    expect(comparison.metrics[0]!.noiseFloor).toBeGreaterThan(0.12);
    expect(comparison.metrics[0]!.verdict).toBe('unchanged');
  });

  it('will not judge one boot against one boot', () => {
    const comparison = compareRuns(bootRecord([2_800]), bootRecord([5_600]));
    expect(comparison.metrics[0]!.verdict).toBe('too few samples');
    expect(comparison.regressed).toBe(false);
  });

  it('tells, for a metric with too few samples, how many repeats of which suite would give enough', () => {
    // Lifecycle boots 2 VMs a repeat, balloon 1 (its others restored), agent records no boot at all; one repeat each side.
    const run = (boots: number[]) =>
      assembleRecord([
        part([
          [
            { group: 'lifecycle', id: 'cold', file: 'suites/lifecycle/lifecycle.test.ts', attempt: bootAttempt(boots[0]!, { metrics: { [BOOT]: { unit: 'ms', better: 'lower', samples: boots.slice(0, 2) } } }) },
            { group: 'balloon', id: 'soak', file: 'suites/balloon/balloon.test.ts', attempt: bootAttempt(boots[2]!) },
            { group: 'agent', id: 'idle', file: 'suites/agent/agent.test.ts', attempt: attempt() },
          ],
        ]),
      ]);
    const [boot] = compareRuns(run([2_800, 2_810, 2_820]), run([2_900, 2_910, 2_920])).metrics;
    expect(boot!.verdict).toBe('too few samples');
    expect(boot!.enoughWith).toEqual([
      { group: 'lifecycle', perRepeat: 2, repeats: 4 },
      { group: 'balloon', perRepeat: 1, repeats: 8 },
    ]);
    expect(describeRepeatAdvice(boot!.enoughWith!)).toBe('8 a side takes lifecycle --repeat 4 (2 a repeat), or balloon --repeat 8 (1 a repeat)');
  });

  it('takes the poorer side\'s samples a repeat, and names no suite that records the metric on one side only', () => {
    const a = bootRecord([2_800, 2_800, 2_800]);
    const b = bootRecord([2_900]);
    expect(compareRuns(a, b).metrics[0]!.enoughWith).toEqual([{ group: 'lifecycle', perRepeat: 1, repeats: 8 }]);
    const onlyBalloonInB = oneRun([2_900, 2_900]);
    const [boot] = compareRuns(bootRecord([2_800]), onlyBalloonInB).metrics;
    expect(boot!.enoughWith).toEqual([]);
    expect(describeRepeatAdvice(boot!.enoughWith!)).toBe('no suite records it on both sides');
  });

  it('gives no advice for a metric it could judge', () => {
    expect(compareRuns(oneRun(bootTimes(25, 2_500, 1)), oneRun(bootTimes(25, 2_800, 2))).metrics[0]!.enoughWith).toBeUndefined();
  });

  it('counts a case turning flaky against B and a fixed case for it', () => {
    const flaky = compareRuns(bootRecord([2_800, 2_800]), bootRecord([2_800, 2_800], ['passed', 'failed']));
    expect(flaky.newlyFlaky.map((change) => change.key)).toEqual(['lifecycle › boot-to-ready']);
    expect(flaky.regressed).toBe(true);
    const fixed = compareRuns(bootRecord([2_800], ['failed']), bootRecord([2_800]));
    expect(fixed.newlyPassing.map((change) => change.key)).toEqual(['lifecycle › boot-to-ready']);
    expect(fixed.regressed).toBe(false);
  });

  it('names what differs between the environments, and not the memory that happened to be free', () => {
    const a = bootRecord([2_800]);
    const b = bootRecord([2_800]);
    b.parts[0]!.environment.vmmVersion = 'QEMU emulator version 9.2.0';
    b.parts[0]!.environment.host.availableMemMiB = 1;
    expect(compareRuns(a, b).environmentChanges).toEqual([`vmmVersion: ${a.parts[0]!.environment.vmmVersion} → QEMU emulator version 9.2.0`]);
  });

  it('matches the cases of records of several cells cell by cell, so a failure on one arch is not hidden by a pass on the other', () => {
    const b = matrixRecord();
    const x86Boot = b.parts[0]!.cases.find((entry) => entry.id === 'boot-to-ready')!;
    x86Boot.outcome = 'failed';
    const comparison = compareRuns(matrixRecord(), b);
    expect(comparison.newlyFailing.map((change) => change.key)).toEqual(['lifecycle › boot-to-ready · x86_64 / tcg / linux']);
    expect(comparison.onlyInA).toEqual([]);
    expect(comparison.onlyInB).toEqual([]);
  });
});

describe('gauntlet compare', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gauntlet-compare-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const saved = async (name: string, record: RunRecord) => {
    const file = path.join(dir, name);
    await writeFile(file, JSON.stringify(record));
    return file;
  };

  it('exits 1 when B regressed and 0 when it is no worse, saying how many samples and the change with its interval', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const busy = oneRun(bootTimes(25, 2_500, 1));
      busy.parts[0]!.hostLoadAverage = { atStart: 5.68, atEnd: 4.1 };
      const a = await saved('a.json', busy);
      const slower = await saved('b.json', oneRun(bootTimes(25, 2_800, 2)));
      const same = await saved('c.json', oneRun(bootTimes(25, 2_500, 3)));
      expect(compareCommand(a, slower)).toBe(1);
      expect(log.mock.calls.flat().join('\n')).toMatch(
        /metrics regressed[^\n]*\n {2}boot to first exec: median [\d.]+ → [\d.]+ ms \(\+1\d\.\d%, 95% CI \+\d+\.\d% … \+\d+\.\d%; p=0\.\d+; n=25\/25; noise floor \d+\.\d%; lower is better\)/,
      );
      expect(log.mock.calls.flat().join('\n')).toContain('host load average (1 min, start → end): A 5.68 → 4.10; B not recorded');
      expect(compareCommand(a, same)).toBe(0);
      expect(log.mock.calls.at(-1)!.join('')).toMatch(/verdict: B is no worse than A$/);
    } finally {
      log.mockRestore();
    }
  });

  it('reads a record of format @1, each metric value one sample, and refuses an unknown one in one line', async () => {
    const previous = JSON.parse(JSON.stringify(bootRecord([2_800])));
    previous.format = 'microvm-gauntlet/run-record@1';
    previous.parts[0].cases[0].attempts[0].metrics = { boot: { value: 2_800, unit: 'ms', better: 'lower' } };
    const converted = readRunJson(await saved('v1.json', previous));
    expect(converted.parts[0]!.cases[0]!.attempts[0]!.metrics).toEqual({ boot: { unit: 'ms', better: 'lower', samples: [2_800] } });
    previous.format = 'microvm-gauntlet/run-record@0';
    expect(() => readRunJson(path.join(dir, 'missing.json'))).toThrow(RunRecordError);
    const other = await saved('v0.json', previous);
    expect(() => readRunJson(other)).toThrow(/is not a run record of this version \(format "microvm-gauntlet\/run-record@0"/);
  });

  it('reads a record of format @2 in the neutral names, so compare pairs its VMM version and control-connect metric with a new run', async () => {
    const previous = JSON.parse(JSON.stringify(bootRecord([2_800])));
    previous.format = 'microvm-gauntlet/run-record@2';
    const { vmm: _vmm, vmmVersion: _version, vmmBinary: _binary, tools: _tools, ...environment } = previous.parts[0].environment;
    previous.parts[0].environment = { ...environment, qemuBinary: 'qemu-system-x86_64', qemuVersion: 'QEMU emulator version 7.2.15', qemuImg: 'qemu-img (qemu-img version 7.2.15)' };
    previous.parts[0].cases[0].attempts[0].metrics = { 'QMP connect': { unit: 'ms', better: 'lower', samples: [40] } };
    const converted = readRunJson(await saved('v2.json', previous));
    expect(converted.format).toBe('microvm-gauntlet/run-record@3');
    expect(converted.parts[0]!.environment).toMatchObject({ vmm: 'qemu', vmmVersion: 'QEMU emulator version 7.2.15', vmmBinary: 'qemu-system-x86_64', tools: { 'qemu-img': 'qemu-img (qemu-img version 7.2.15)' } });
    expect(converted.parts[0]!.environment).not.toHaveProperty('qemuVersion');
    expect(Object.keys(converted.parts[0]!.cases[0]!.attempts[0]!.metrics)).toEqual(['VMM control connect']);
  });

  it("reads a bench record whose raw boot still has the VMM's own name under the neutral one", async () => {
    const previous = JSON.parse(JSON.stringify(bootRecord([2_800])));
    previous.parts[0].cases[0].attempts[0].metrics = { 'raw QEMU boot to first init line': { unit: 'ms', better: 'lower', samples: [900] } };
    const converted = readRunJson(await saved('raw-boot.json', previous));
    expect(Object.keys(converted.parts[0]!.cases[0]!.attempts[0]!.metrics)).toEqual(['raw VMM boot to first init line']);
  });

  it('refuses a record of a newer format in one line that says to update', async () => {
    const newer = { ...bootRecord([2_800]), format: 'microvm-gauntlet/run-record@9' };
    const file = await saved('v9.json', newer as never);
    expect(() => readRunJson(file)).toThrow(/is a run record of a newer gauntlet \(format microvm-gauntlet\/run-record@9; this one reads up to microvm-gauntlet\/run-record@3\): update gauntlet/);
  });
});
