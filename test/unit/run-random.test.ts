import { afterEach, describe, expect, it } from 'vitest';
import { ENV } from '../../harness/config/settings.ts';
import { runRandom } from '../../harness/run/run-random.ts';

const draw = (purpose: string, count = 5) => {
  const random = runRandom(purpose);
  return Array.from({ length: count }, () => random());
};

describe('runRandom', () => {
  const saved = process.env[ENV.seed];
  afterEach(() => {
    if (saved === undefined) delete process.env[ENV.seed];
    else process.env[ENV.seed] = saved;
  });

  it('draws the same numbers for the same seed, and others for another seed or purpose', () => {
    process.env[ENV.seed] = '42';
    const first = draw('random-target-soak');
    expect(draw('random-target-soak')).toEqual(first);
    expect(draw('another-case')).not.toEqual(first);
    process.env[ENV.seed] = '43';
    expect(draw('random-target-soak')).not.toEqual(first);
    expect(first.every((value) => value >= 0 && value < 1)).toBe(true);
  });
});
