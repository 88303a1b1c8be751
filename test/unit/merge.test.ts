import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeRecords } from '../../harness/reports/merge.ts';
import { assembleRecord, type RunRecord } from '../../harness/reports/run-record.ts';
import { aarch64Environment, attempt, environment, part } from './fixtures/sample-record.ts';

function shard(index: number, count: number, id: string, host = 'AMD EPYC 7B13'): RunRecord {
  const failed = attempt({ outcome: 'failed', message: 'boom', artifacts: { 'vm: serial console': `artifacts/${id}/console.log` } });
  const env = environment();
  return assembleRecord([
    part([[{ group: 'lifecycle', id, file: `${id}.test.ts`, attempt: failed }]], {
      shard: { index, count },
      environment: { ...env, host: { ...env.host, cpuModel: host } },
    }),
  ]);
}

describe('mergeRecords', () => {
  it('keeps each shard as a part with its own host, and totals them', () => {
    const merged = mergeRecords(
      [
        { record: shard(1, 2, 'a', 'host one'), dir: '/runs/one' },
        { record: shard(2, 2, 'b', 'host two'), dir: '/runs/two' },
      ],
      '/runs/merged',
    );
    expect(merged.parts.map((entry) => [entry.shard?.index, entry.environment.host.cpuModel])).toEqual([
      [1, 'host one'],
      [2, 'host two'],
    ]);
    expect(merged.totals.failed).toBe(2);
  });

  it('rebases artifact paths onto the merged record directory', () => {
    const merged = mergeRecords(
      [
        { record: shard(1, 2, 'a'), dir: '/runs/one' },
        { record: shard(2, 2, 'b'), dir: '/runs/two' },
      ],
      '/runs/merged',
    );
    const paths = merged.parts.map((entry) => entry.cases[0]!.attempts[0]!.artifacts['vm: serial console']);
    expect(paths).toEqual([path.join('..', 'one', 'artifacts', 'a', 'console.log'), path.join('..', 'two', 'artifacts', 'b', 'console.log')]);
  });

  it('refuses two runs of the same cases, a shard given twice, and shards of different splits', () => {
    expect(() => mergeRecords([{ record: shard(1, 2, 'a'), dir: '/x' }, { record: shard(2, 2, 'a'), dir: '/y' }], '/m')).toThrow(/in more than one record/);
    expect(() => mergeRecords([{ record: shard(1, 2, 'a'), dir: '/x' }, { record: shard(1, 2, 'b'), dir: '/y' }], '/m')).toThrow(/shard 1 of cell x86_64 \/ tcg \/ linux is in more than one/);
    expect(() => mergeRecords([{ record: shard(1, 2, 'a'), dir: '/x' }, { record: shard(2, 3, 'b'), dir: '/y' }], '/m')).toThrow(/different shardings/);
  });

  it('merges the same cases from different cells, each cell checked for its own shards', () => {
    const aarch64 = (index: number, count: number, id: string) => {
      const record = shard(index, count, id);
      record.parts[0]!.environment = aarch64Environment();
      return record;
    };
    const merged = mergeRecords(
      [
        { record: shard(1, 2, 'a'), dir: '/x' },
        { record: shard(2, 2, 'b'), dir: '/x' },
        { record: aarch64(1, 3, 'a'), dir: '/y' },
        { record: aarch64(2, 3, 'b'), dir: '/y' },
      ],
      '/m',
    );
    expect(merged.totals.failed).toBe(4);
    expect(() => mergeRecords([{ record: shard(1, 2, 'a'), dir: '/x' }, { record: aarch64(1, 2, 'a'), dir: '/y' }, { record: aarch64(2, 2, 'a'), dir: '/y' }], '/m')).toThrow(
      /case lifecycle › a is in more than one record of cell aarch64 \/ tcg \/ linux/,
    );
  });
});
