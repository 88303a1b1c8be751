/** The dry run's evaluator of GitHub Actions expressions (test/workflows/expressions.ts): what it knows, and that it refuses the rest. */
import { describe, expect, it } from 'vitest';
import { condition, evaluate, fill } from '../workflows/expressions.ts';

const contexts = { matrix: { arch: 'x86_64', shard: 1 }, inputs: { suites: '', repeat: 5 }, steps: { cache: { outputs: { 'cache-hit': 'false' } } }, vars: {} };
const ok = { failed: false };
const failed = { failed: true };

describe('the dry run\'s expressions', () => {
  it('fill placeholders from the contexts, an unset value as empty', () => {
    expect(fill('image-${{ matrix.arch }}-${{ matrix.shard }}${{ vars.NONE }}', contexts, ok)).toBe('image-x86_64-1');
    expect(fill("${{ inputs.suites || 'all' }} ${{ inputs.repeat || 10 }}", contexts, ok)).toBe('all 5');
  });

  it('compare as GitHub does: strings without case, hyphenated names', () => {
    expect(evaluate("steps.cache.outputs.cache-hit != 'true'", contexts, ok)).toBe(true);
    expect(evaluate("matrix.arch == 'X86_64' && !(inputs.repeat == 1)", contexts, ok)).toBe(true);
  });

  it('conditions: success() unless one calls a status function', () => {
    expect(condition(undefined, contexts, failed)).toBe(false);
    expect(condition("matrix.arch == 'x86_64'", contexts, failed)).toBe(false);
    expect(condition('${{ always() }}', contexts, failed)).toBe(true);
    expect(condition('${{ !cancelled() }}', contexts, failed)).toBe(true);
    expect(condition("steps.cache.outputs.cache-hit != 'true'", contexts, ok)).toBe(true);
  });

  it('refuse what they do not know, rather than guess', () => {
    expect(() => evaluate("hashFiles('x')", contexts, ok)).toThrow(/hashFiles\(\) is not among/);
    expect(() => evaluate('needs.image.result', contexts, ok)).toThrow(/context needs/);
    expect(() => evaluate("matrix.arch = 'x'", contexts, ok)).toThrow(/not understood/);
  });
});
