/** A restored guest's clock after the first exec set whole seconds: what is left measured, and stepped relative to the guest's own time. */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { clockStepCommand, guestClockOffsetMs } from '../../harness/runtime/qemu/restored-guest.ts';

describe('the restored guest clock', () => {
  it('takes the guest clock against the midpoint of the host send and receipt', () => {
    expect(guestClockOffsetMs('1796605473500000\n', 1_796_605_474_000, 1_796_605_474_200)).toBe(-600);
    expect(guestClockOffsetMs('\n', 0, 0), 'a guest without the reading gives nothing to step by').toBeUndefined();
  });

  it('steps to the whole second nearest the guest time less the offset', async () => {
    const command = clockStepCommand(-600);
    // The step's arithmetic, run by the host's awk on a fixed reading in place of the guest's clock.
    const awk = /\| awk -v off=(-?\d+) '([^']+)'/.exec(command)!;
    const step = (reading: string) => execa('awk', ['-v', `off=${awk[1]}`, awk[2]!], { input: reading }).then((result) => result.stdout);
    // 1796605473.5 s less -0.6 s is 1796605474.1, nearest 1796605474; 1796605473.95 + 0.6 rounds up.
    expect(await step('1796605473500000')).toBe('1796605474');
    expect(await step('1796605473950000')).toBe('1796605475');
  });
});
