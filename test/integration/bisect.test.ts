/**
 * The README's bisect recipe end to end: scripts/bisect-step, what `git bisect run` calls for each
 * build, on three QEMU "builds" (wrappers of this run's QEMU): a good one (0), one whose guests
 * fail a case (1), one that does not answer --version (125, skip: no verdict on that commit).
 */
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../../harness/image/recipe.ts';
import { accelArgs, childEnv, qemuWrapper, type QemuBuild } from '../fixtures/qemu-wrappers.ts';
import { scratchDir } from '../fixtures/scratch-dir.ts';

async function bisectStep(build: QemuBuild): Promise<{ exitCode: number; output: string }> {
  const reports = await scratchDir(`e2e-bisect-${build}`);
  const result = await execa(path.join(REPO_ROOT, 'scripts/bisect-step'), [await qemuWrapper(build), 'lifecycle', ...accelArgs()], {
    env: { ...childEnv(), GAUNTLET_BISECT_REPORTS: reports },
    extendEnv: false,
    reject: false,
    all: true,
  });
  return { exitCode: result.exitCode ?? -1, output: result.all ?? '' };
}

describe('bisect recipe', () => {
  test('a good build is good (0)', { timeout: 600_000 }, async () => {
    const step = await bisectStep('good');
    expect(step.exitCode, step.output.slice(-2_000)).toBe(0);
    expect(step.output).toMatch(/^tests: [1-9]\d* passed, 0 failed, \d+ skipped$/m);
  });

  test('a build whose balloon device fails to realize is bad (1): its guests fail the cases', { timeout: 600_000 }, async () => {
    const step = await bisectStep('no-balloon');
    expect(step.exitCode, step.output.slice(-2_000)).toBe(1);
    expect(step.output).toMatch(/^tests: \d+ passed, [1-9]\d* failed, \d+ skipped$/m);
    expect(step.output).toMatch(/virtio-balloon failed to realize/);
  });

  test('a build that does not answer --version is skipped (125), not blamed', { timeout: 600_000 }, async () => {
    const step = await bisectStep('no-version');
    expect(step.exitCode, step.output.slice(-2_000)).toBe(125);
    expect(step.output).not.toMatch(/^tests: /m);
  });
});
