import { describe, expect, test } from 'vitest';
import { expectCatalogueLimits } from '../../harness/assert/balloon-catalogue.ts';
import { QEMU_BALLOON_LIMITS } from '../../harness/runtime/qemu/balloon-control.ts';

describe("a balloon control's reported limits against the catalogue's bounds", () => {
  test("the reference runtime's are within them", () => {
    expect(() => expectCatalogueLimits(QEMU_BALLOON_LIMITS)).not.toThrow();
  });

  test('a tolerance wider than the catalogue allows is refused', () => {
    expect(() => expectCatalogueLimits({ minimumMiB: 128, toleranceMiB: 17 })).toThrow(/the balloon tolerance the runtime reports: expected 0–16 MiB, saw 17 MiB/);
    expect(() => expectCatalogueLimits({ minimumMiB: 128, toleranceMiB: -1 })).toThrow(/tolerance/);
  });

  test('a floor above the warm-pool park target is refused', () => {
    expect(() => expectCatalogueLimits({ minimumMiB: 129, toleranceMiB: 16 })).toThrow(/the balloon floor the runtime reports: expected ≤ 128 MiB, saw 129 MiB/);
  });

  test('a floor the below-minimum target could pass for is refused, and so is none', () => {
    expect(() => expectCatalogueLimits({ minimumMiB: 32, toleranceMiB: 16 })).toThrow(/less its tolerance: expected above 16 MiB, saw 32 − 16 MiB/);
    expect(() => expectCatalogueLimits({ minimumMiB: 0, toleranceMiB: 0 })).toThrow(/less its tolerance/);
    expect(() => expectCatalogueLimits({ minimumMiB: 33, toleranceMiB: 16 })).not.toThrow();
  });

  test('a limit that is no number is refused', () => {
    expect(() => expectCatalogueLimits({ minimumMiB: Number.NaN, toleranceMiB: 16 })).toThrow();
  });
});
