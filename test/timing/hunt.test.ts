/**
 * `gauntlet hunt` end to end, the short form CI can afford: lifecycle on the same QEMU twice, within
 * 3 minutes of CI. Round 1 always runs (lifecycle, then the bench, for both sides at once); the bench
 * takes only the rounds that fit what is left of the 150 s budget, which leaves the hunt's own start
 * and its compare room within the 3 minutes. It must end with compare's verdict and page and exit 0,
 * and the verdict must rest on a hunted metric judged on both sides: the exec round trips, which one
 * bench round alone gives enough of.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { isHunted } from '../../harness/hunt/plan.ts';
import { compareRuns } from '../../harness/reports/compare.ts';
import { readRunJson } from '../../harness/reports/run-json.ts';
import { allCases } from '../../harness/reports/run-record.ts';
import { accelArgs, gauntlet, qemuWrapper } from '../fixtures/qemu-wrappers.ts';
import { scratchDir } from '../fixtures/scratch-dir.ts';

const BUDGET = '150s';

describe('gauntlet hunt, end to end', () => {
  test('calls the same QEMU twice no worse, on judged metrics, with its verdict and page', { timeout: 420_000 }, async () => {
    const reports = await scratchDir('e2e-hunt');
    const qemu = await qemuWrapper('good');
    const hunt = await gauntlet(['hunt', qemu, qemu, 'lifecycle', '--budget', BUDGET, ...accelArgs(), '--reports', reports]);
    console.log(`hunt of one QEMU against itself, ${hunt.seconds.toFixed(0)} s:\n${hunt.output.slice(-4_000)}`);
    expect(hunt.exitCode, hunt.output.slice(-4_000)).toBe(0);
    expect(hunt.output).toMatch(/^hunt: round 1: bench, lifecycle for A and B$/m);
    expect(hunt.output).toContain('verdict: B is no worse than A');
    expect(existsSync(path.join(reports, 'compare.html'))).toBe(true);
    const [a, b] = ['a', 'b'].map((side) => readRunJson(path.join(reports, side, 'run.json')));
    for (const [side, record] of [['a', a!], ['b', b!]] as const) {
      expect([...new Set(allCases(record).map((entry) => entry.group))].sort(), side).toEqual(['bench', 'lifecycle']);
    }
    const judged = compareRuns(a!, b!).metrics.filter((metric) => isHunted(metric) && metric.verdict !== 'too few samples');
    expect(judged.map((metric) => metric.metric)).toContain('exec round trip');
    expect(judged.filter((metric) => metric.verdict === 'regressed')).toEqual([]);
  });
});
