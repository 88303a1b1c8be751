import { expect, test } from 'vitest';
import { BALLOON_CONTROL } from '../../harness/runtime/qemu/tuning.ts';
import { guestKernelArgs } from '../../harness/runtime/qemu/guest-kernel-args.ts';

const orderArg = `gauntlet.page_reporting_order=${BALLOON_CONTROL.guestPageReportingOrder}`;

test('a guest whose balloon reports free pages is told the smallest block to report', () => {
  expect(guestKernelArgs({ name: 'vm', balloon: { freePageReporting: true } }, 'tcg')).toContain(orderArg);
});

test('a guest without free page reporting keeps the kernel default', () => {
  for (const balloon of [undefined, false, {}, { freePageReporting: false }] as const) {
    expect(guestKernelArgs({ name: 'vm', balloon }, 'tcg').some((arg) => arg.startsWith('gauntlet.page_reporting_order='))).toBe(false);
  }
});

const oomArg = `gauntlet.oom_working_set_ms=${BALLOON_CONTROL.guestOomWorkingSetMs}`;

test('a guest whose balloon deflates on OOM is told to go to the OOM path rather than thrash', () => {
  expect(guestKernelArgs({ name: 'vm', balloon: { deflateOnOom: true } }, 'tcg')).toContain(oomArg);
});

test('a guest without deflate-on-oom keeps the kernel default reclaim', () => {
  for (const balloon of [undefined, false, {}, { deflateOnOom: false }, { freePageReporting: true }] as const) {
    expect(guestKernelArgs({ name: 'vm', balloon }, 'tcg').some((arg) => arg.startsWith('gauntlet.oom_working_set_ms='))).toBe(false);
  }
});
