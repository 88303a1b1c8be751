import { describe, expect, it } from 'vitest';
import { runRandom } from '../../harness/metrics/run-random.ts';

const draw = (seed: number, purpose: string, count = 5) => {
  const random = runRandom(seed, purpose);
  return Array.from({ length: count }, () => random());
};

describe('runRandom', () => {
  it('draws the same numbers for the same seed, and others for another seed or purpose', () => {
    const first = draw(42, 'random-target-soak');
    expect(draw(42, 'random-target-soak')).toEqual(first);
    expect(draw(42, 'another-case')).not.toEqual(first);
    expect(draw(43, 'random-target-soak')).not.toEqual(first);
    expect(first.every((value) => value >= 0 && value < 1)).toBe(true);
  });
});
