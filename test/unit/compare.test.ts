import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compareCommand } from '../../harness/cli/compare.ts';
import { compareRuns, repeatsNeeded } from '../../harness/reports/compare.ts';
import { mulberry32, permutationPValue } from '../../harness/reports/permutation-test.ts';
import type { RunRecord } from '../../harness/reports/run-record.ts';
import { bootRecord, matrixRecord } from './fixtures/sample-record.ts';

/** Boot times as TCG gives them: around `centreMs`, ±5 % jitter, from a seeded generator. */
function bootTimes(count: number, centreMs: number, seed: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => Math.round(centreMs * (0.95 + 0.1 * random())));
}

describe('permutation test', () => {
  it('is exact for few samples: completely separated groups of five give p = 2/252', () => {
    expect(permutationPValue([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], { resamples: 9_999, seed: 1 })).toBeCloseTo(2 / 252, 10);
  });

  it('finds no difference between identical samples', () => {
    expect(permutationPValue([3, 3, 3], [3, 3, 3], { resamples: 9_999, seed: 1 })).toBe(1);
  });

  it('samples splits when there are too many to enumerate, and still separates shifted groups', () => {
    const p = permutationPValue(bootTimes(30, 2_800, 1), bootTimes(30, 3_400, 2), { resamples: 999, seed: 7 });
    expect(p).toBeLessThan(0.01);
    expect(p).toBeGreaterThan(0);
  });

  it('needs five repeats per run to reach p < 0.01', () => {
    expect(repeatsNeeded(0.01)).toBe(5);
  });
});

describe('compareRuns', () => {
  it('flags a case that fails only in B', () => {
    const comparison = compareRuns(bootRecord([2_800]), bootRecord([2_800], ['failed']));
    expect(comparison.newlyFailing.map((change) => change.key)).toEqual(['lifecycle › boot-to-ready']);
    expect(comparison.regressed).toBe(true);
  });

  it('flags a boot time that doubled', () => {
    const comparison = compareRuns(bootRecord(bootTimes(5, 2_800, 1)), bootRecord(bootTimes(5, 5_600, 2)));
    expect(comparison.metrics).toHaveLength(1);
    expect(comparison.metrics[0]).toMatchObject({ metric: 'boot', verdict: 'regressed', samplesA: 5, samplesB: 5 });
    expect(comparison.metrics[0]!.relativeChange).toBeGreaterThan(0.8);
    expect(comparison.regressed).toBe(true);
  });

  it('stays quiet on two runs of the same build', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const comparison = compareRuns(bootRecord(bootTimes(10, 2_800, seed)), bootRecord(bootTimes(10, 2_800, seed + 100)));
      expect(comparison.metrics.map((metric) => metric.verdict), `seed ${seed}`).toEqual(['unchanged']);
      expect(comparison.regressed, `seed ${seed}`).toBe(false);
    }
  });

  it('calls a halved boot time an improvement, not a regression', () => {
    const comparison = compareRuns(bootRecord(bootTimes(5, 5_600, 1)), bootRecord(bootTimes(5, 2_800, 2)));
    expect(comparison.metrics[0]!.verdict).toBe('improved');
    expect(comparison.regressed).toBe(false);
  });

  it('will not judge one boot against one boot', () => {
    const comparison = compareRuns(bootRecord([2_800]), bootRecord([5_600]));
    expect(comparison.metrics[0]!.verdict).toBe('too few samples');
    expect(comparison.regressed).toBe(false);
  });

  it('counts a case turning flaky against B and a fixed case for it', () => {
    const flaky = compareRuns(bootRecord([2_800, 2_800]), bootRecord([2_800, 2_800], ['passed', 'failed']));
    expect(flaky.newlyFlaky.map((change) => change.key)).toEqual(['lifecycle › boot-to-ready']);
    expect(flaky.regressed).toBe(true);
    const fixed = compareRuns(bootRecord([2_800], ['failed']), bootRecord([2_800]));
    expect(fixed.newlyPassing.map((change) => change.key)).toEqual(['lifecycle › boot-to-ready']);
    expect(fixed.regressed).toBe(false);
  });

  it('names what differs between the environments, and not the memory that happened to be free', () => {
    const a = bootRecord([2_800]);
    const b = bootRecord([2_800]);
    b.parts[0]!.environment.qemuVersion = 'QEMU emulator version 9.2.0';
    b.parts[0]!.environment.host.availableMemMiB = 1;
    expect(compareRuns(a, b).environmentChanges).toEqual([`qemuVersion: ${a.parts[0]!.environment.qemuVersion} → QEMU emulator version 9.2.0`]);
  });

  it('matches the cases of records of several cells cell by cell, so a failure on one arch is not hidden by a pass on the other', () => {
    const b = matrixRecord();
    const x86Boot = b.parts[0]!.cases.find((entry) => entry.id === 'boot-to-ready')!;
    x86Boot.outcome = 'failed';
    const comparison = compareRuns(matrixRecord(), b);
    expect(comparison.newlyFailing.map((change) => change.key)).toEqual(['lifecycle › boot-to-ready · x86_64 / tcg / linux']);
    expect(comparison.onlyInA).toEqual([]);
    expect(comparison.onlyInB).toEqual([]);
  });
});

describe('gauntlet compare', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gauntlet-compare-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const saved = async (name: string, record: RunRecord) => {
    const file = path.join(dir, name);
    await writeFile(file, JSON.stringify(record));
    return file;
  };

  it('exits 1 when B regressed and 0 when it is no worse, saying why', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const a = await saved('a.json', bootRecord(bootTimes(5, 2_800, 1)));
      const slower = await saved('b.json', bootRecord(bootTimes(5, 5_600, 2)));
      const same = await saved('c.json', bootRecord(bootTimes(5, 2_800, 3)));
      expect(compareCommand(a, slower)).toBe(1);
      expect(log.mock.calls.flat().join('\n')).toMatch(/metrics regressed[^\n]*\n {2}lifecycle › boot-to-ready boot: [\d.]+ ms → [\d.]+ ms \(\+\d+\.\d%/);
      expect(compareCommand(a, same)).toBe(0);
      expect(log.mock.calls.at(-1)!.join('')).toMatch(/verdict: B is no worse than A$/);
    } finally {
      log.mockRestore();
    }
  });
});
