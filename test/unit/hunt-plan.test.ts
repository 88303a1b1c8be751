import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../../harness/cli/args.ts';
import { parseBudget } from '../../harness/hunt/budget.ts';
import { foldRounds, isHunted, moreSamples, moved, repeatsThatFit, suitesRecording, unjudged } from '../../harness/hunt/plan.ts';
import { huntSide } from '../../harness/hunt/side.ts';
import { compareRuns } from '../../harness/reports/compare.ts';
import { VM_METRICS } from '../../harness/reports/metric-names.ts';
import { assembleRecord, type RunRecord } from '../../harness/reports/run-record.ts';
import { attempt, bootTimes, part } from './fixtures/sample-record.ts';

const BOOT = VM_METRICS.firstExec;
const EXEC = VM_METRICS.execRoundTrip;

/** One round of one side: lifecycle boots `boots` VMs, agent records exec round trips only. */
function round(boots: number[], execs: number[]): RunRecord {
  const ms = (samples: number[]) => ({ unit: 'ms', better: 'lower' as const, samples });
  return assembleRecord([
    part([
      [
        { group: 'lifecycle', id: 'boot-to-ready', file: 'suites/lifecycle/lifecycle.test.ts', attempt: attempt({ metrics: { [BOOT]: ms(boots) } }) },
        { group: 'agent', id: 'exec', file: 'suites/agent/agent.test.ts', attempt: attempt({ metrics: { [EXEC]: ms(execs) } }) },
      ],
    ]),
  ]);
}

describe('gauntlet hunt: the sides', () => {
  it('tells a VMM binary, a QEMU package, a kernel package and an exec: runtime apart', () => {
    expect(huntSide('A', 'qemu-system-x86=1:10.0.2+ds-2').flags).toEqual(['--qemu-package', 'qemu-system-x86=1:10.0.2+ds-2']);
    expect(huntSide('A', 'linux-image-6.1.0-47-cloud-amd64').flags).toEqual(['--kernel-package', 'linux-image-6.1.0-47-cloud-amd64']);
    expect(huntSide('B', 'exec:./adapter --fast').flags).toEqual(['--runtime', 'exec:./adapter --fast']);
    expect(huntSide('B', '/bin/sh').flags).toEqual(['--qemu', '/bin/sh']);
    expect(() => huntSide('B', '/no/such/qemu')).toThrow('hunt side B (/no/such/qemu) is neither an executable VMM binary');
  });

  it('parses the command: sides, suites, budget, cores, and the flags every child run shares', () => {
    const { command, hunt } = parseCommand(['hunt', '/bin/sh', 'qemu-system-x86', 'lifecycle', 'snapshot', '--budget', '10m', '--cores', '2', '--arch', 'x86_64', '--apt-source', 'deb http://m.example/debian bookworm-backports main'], {});
    expect(command).toBe('hunt');
    expect(hunt).toMatchObject({ suites: ['lifecycle', 'snapshot'], budgetMs: 600_000, cores: 2, bisect: false });
    expect(hunt!.shared).toEqual(['--arch', 'x86_64', '--apt-source', 'deb http://m.example/debian bookworm-backports main']);
    expect(parseBudget('90s')).toBe(90_000);
    expect(parseBudget('1h')).toBe(3_600_000);
    expect(() => parseCommand(['hunt', '/bin/sh'], {})).toThrow(UsageError);
    expect(() => parseCommand(['hunt', '/bin/sh', '/bin/sh', '--budget', 'soon'], {})).toThrow('--budget takes a duration such as 90s, 15m or 1h (got soon)');
    expect(() => parseCommand(['run', '--budget', '1m'], {})).toThrow('--budget belongs to gauntlet hunt and bench');
  });
});

describe('gauntlet hunt: what the next round runs', () => {
  it('asks for the suite that records the unjudged boot once more with every VM booted, as its restored VMs give no boots', () => {
    const a = foldRounds([round([2_500, 2_510, 2_520], bootTimes(40, 30, 1))]);
    const b = foldRounds([round([2_600, 2_610], bootTimes(40, 30, 2))]);
    const comparison = compareRuns(a, b);
    expect(unjudged(comparison).map((metric) => metric.metric)).toEqual([BOOT]);
    // Warm, B's 2 boots a repeat would take 3 repeats of lifecycle; cold, one run boots every VM it makes. Agent records no boot.
    expect(moreSamples(comparison, ['bench', 'lifecycle', 'agent'])).toEqual({ groups: ['lifecycle'], repeats: 1, cold: ['lifecycle'] });
    expect(moreSamples(comparison, ['bench', 'agent'])).toEqual({ groups: [], repeats: 1, cold: [] });
  });

  it('asks for as many warm repeats as the poorer side lacks of a metric a restored VM records too', () => {
    const a = foldRounds([round(bootTimes(40, 2_500, 1), [30, 31, 32])]);
    const b = foldRounds([round(bootTimes(40, 2_500, 2), [30, 31])]);
    const comparison = compareRuns(a, b);
    expect(unjudged(comparison).map((metric) => metric.metric)).toEqual([EXEC]);
    // B has 2 exec round trips, 2 a repeat: 6 more take 3 repeats of agent.
    expect(moreSamples(comparison, ['bench', 'lifecycle', 'agent'])).toEqual({ groups: ['agent'], repeats: 3, cold: [] });
  });

  it('hunts the times of boot, restore, exec and balloon moves, not a size a case records', () => {
    expect(isHunted({ metric: BOOT, unit: 'ms' })).toBe(true);
    expect(isHunted({ metric: 'restore to first exec', unit: 'ms' })).toBe(true);
    expect(isHunted({ metric: 'balloon inflate latency per MiB', unit: 'ms/MiB' })).toBe(true);
    expect(isHunted({ metric: 'restored balloon actual', unit: 'MiB' })).toBe(false);
    expect(isHunted({ metric: 'disk fill throughput', unit: 'MiB/s' })).toBe(false);
  });

  it('folds rounds per suite, so a suite run in fewer rounds keeps its own samples a repeat', () => {
    const lifecycleOnly = assembleRecord([part([[{ group: 'lifecycle', id: 'boot-to-ready', file: 'suites/lifecycle/lifecycle.test.ts', attempt: attempt({ metrics: { [BOOT]: { unit: 'ms', better: 'lower', samples: [2_500, 2_500] } } }) }]])]);
    const folded = foldRounds([round([2_500, 2_500], [30]), lifecycleOnly]);
    const lifecycle = folded.parts.find((entry) => entry.cases[0]!.group === 'lifecycle')!;
    expect(lifecycle.repeats).toBe(2);
    expect(lifecycle.cases[0]!.attempts).toHaveLength(2);
    expect(folded.parts.find((entry) => entry.cases[0]!.group === 'agent')!.repeats).toBe(1);
  });

  it('confirms a moved metric with the suites that record it, and nothing else', () => {
    const a = foldRounds([round(bootTimes(10, 2_500, 1), bootTimes(40, 30, 3))]);
    const b = foldRounds([round(bootTimes(10, 3_000, 2), bootTimes(40, 30, 4))]);
    const comparison = compareRuns(a, b);
    expect(unjudged(comparison)).toEqual([]);
    expect(moved(comparison).map((metric) => metric.metric)).toEqual([BOOT]);
    expect(suitesRecording(moved(comparison), b, ['bench', 'lifecycle', 'agent'])).toEqual(['lifecycle']);
  });
});

describe('gauntlet hunt: the budget', () => {
  it('runs only the repeats that fit what is left, judged by the last round per repeat', () => {
    // The 8-minute hunt against a slow QEMU: 7 repeats took 150 s, 260 s were left, 14 were wanted.
    expect(repeatsThatFit(14, { durationMs: 150_000, repeats: 7 }, 260_000)).toBe(12);
    expect(repeatsThatFit(3, { durationMs: 150_000, repeats: 7 }, 260_000), 'never more than wanted').toBe(3);
    expect(repeatsThatFit(1, { durationMs: 200_000, repeats: 1 }, 150_000), 'not even one fits').toBe(0);
  });
});
