/**
 * `gauntlet hunt` end to end, the short form CI can afford: lifecycle on the same QEMU twice, with a
 * 3-minute budget (one round took 187-226 s on the loaded 2-core host it was written on). It must end
 * with compare's verdict and page and exit 0: the same build is no worse than itself, however few
 * rounds the budget allowed.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { readRunJson } from '../../harness/reports/run-json.ts';
import { allCases } from '../../harness/reports/run-record.ts';
import { accelArgs, gauntlet, qemuWrapper } from '../faults/qemu-wrappers.ts';

const BUDGET = '3m';

describe('gauntlet hunt, end to end', () => {
  test('calls the same QEMU twice no worse, with its verdict and page', { timeout: 420_000 }, async () => {
    const reports = await mkdtemp(path.join(tmpdir(), 'e2e-hunt-'));
    const qemu = await qemuWrapper('good');
    try {
      const hunt = await gauntlet(['hunt', qemu, qemu, 'lifecycle', '--budget', BUDGET, ...accelArgs(), '--reports', reports]);
      console.log(`hunt of one QEMU against itself, ${hunt.seconds.toFixed(0)} s:\n${hunt.output.slice(-4_000)}`);
      expect(hunt.exitCode, hunt.output.slice(-4_000)).toBe(0);
      expect(hunt.output).toMatch(/^hunt: round 1: bench, lifecycle for A and B$/m);
      expect(hunt.output).toContain('verdict: B is no worse than A');
      expect(existsSync(path.join(reports, 'compare.html'))).toBe(true);
      for (const side of ['a', 'b']) {
        const groups = new Set(allCases(readRunJson(path.join(reports, side, 'run.json'))).map((entry) => entry.group));
        expect([...groups].sort(), side).toEqual(['bench', 'lifecycle']);
      }
    } finally {
      await rm(reports, { recursive: true, force: true });
    }
  });
});
