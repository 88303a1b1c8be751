import { describe, expect, it } from 'vitest';
import { sweepOffsets } from '../../suites/agent/sweep-plan.ts';

describe('reconnect-window-sweep offsets', () => {
  const plan = { spanSeconds: 1, stepSeconds: 0.25, denseFromSeconds: 0, denseToSeconds: 0.5, denseStepSeconds: 0.05 };

  it('covers the span coarsely and just past the timeout densely, each offset once, ascending', () => {
    expect(sweepOffsets(plan)).toEqual([
      -1, -0.75, -0.5, -0.25, 0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.75, 1,
    ]);
  });

  it('keeps both ends even when float steps do not add up exactly', () => {
    const offsets = sweepOffsets({ ...plan, stepSeconds: 0.1, denseFromSeconds: 0.3, denseToSeconds: 0.3 });
    expect(offsets).toHaveLength(21);
    expect(offsets[0]).toBe(-1);
    expect(offsets.at(-1)).toBe(1);
    expect(offsets).toContain(0.3);
  });

  it('rejects steps that would never advance', () => {
    expect(() => sweepOffsets({ ...plan, stepSeconds: 0 })).toThrow(/stepSeconds must be positive/);
    expect(() => sweepOffsets({ ...plan, denseStepSeconds: -0.1 })).toThrow(/denseStepSeconds must be positive/);
  });
});
