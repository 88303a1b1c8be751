import { describe, expect, it } from 'vitest';
import { churnRounds } from '../../harness/workloads/memory.ts';
import { workloadCommand } from '../../harness/workloads/run-workload.ts';

describe('workloadCommand', () => {
  it('runs the installed workload with its arguments', () => {
    expect(workloadCommand('mem-touch', 150)).toBe('/usr/libexec/gauntlet/mem-touch 150');
  });

  it('refuses an argument the guest shell would need quoted', () => {
    expect(() => workloadCommand('background', 'start', 'a b')).toThrow('workload argument "a b" is not a plain word');
    expect(() => workloadCommand('background', 'start', 'x;reboot')).toThrow(/not a plain word/);
  });
});

describe('churnRounds', () => {
  it('counts the rounds that touched their memory and the ones killed doing it', () => {
    expect(churnRounds('OK:16\nOK:16\nOOM:16\nOK:16\n')).toEqual({ ok: 3, oom: 1 });
    expect(churnRounds('')).toEqual({ ok: 0, oom: 0 });
  });
});
