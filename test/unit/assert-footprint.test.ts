import { link, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectReleased, releasedFraction } from '../../harness/assert/footprint.ts';
import { allocatedBytes, allocatedBytesOfAll, dirAllocatedBytes } from '../../harness/host/allocated-bytes.ts';

const MiB = 1024 * 1024;

describe('allocated size on the host', () => {
  let dir: string;
  let sparse: string;
  let written: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gauntlet-footprint-'));
    sparse = path.join(dir, 'sparse.img');
    written = path.join(dir, 'data', 'written.img');
    await mkdir(path.dirname(written));
    await execa('truncate', ['-s', '64M', sparse]);
    // Random bytes: a compressing or deduplicating filesystem cannot store them in fewer blocks.
    await writeFile(written, randomBytes(2 * MiB), { flush: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('counts blocks, not apparent size', async () => {
    expect((await stat(sparse)).size).toBe(64 * MiB);
    expect(await allocatedBytes(sparse)).toBeLessThan(MiB);
    expect(await allocatedBytes(written)).toBeGreaterThanOrEqual(2 * MiB);
  });

  it('counts a missing file as zero', async () => {
    expect(await allocatedBytes(path.join(dir, 'gone.img'))).toBe(0);
  });

  it('sums several files, each distinct path once', async () => {
    const one = await allocatedBytes(written);
    const both = await allocatedBytesOfAll([written, sparse, written, path.join(dir, 'gone.img')]);
    expect(both).toBe(one + (await allocatedBytes(sparse)));
  });

  it('walks a directory like du: nested files, hard links once, symlinks not followed', async () => {
    const filesOnly = await allocatedBytesOfAll([written, sparse]);
    const before = await dirAllocatedBytes(dir);
    expect(before).toBeGreaterThan(filesOnly);
    expect(before).toBeLessThan(filesOnly + MiB);

    await link(written, path.join(dir, 'hardlink.img'));
    await symlink(written, path.join(dir, 'symlink.img'));
    const withLinks = await dirAllocatedBytes(dir);
    expect(withLinks - before).toBeLessThan(MiB);
  });

  it('counts a missing directory as zero', async () => {
    expect(await dirAllocatedBytes(path.join(dir, 'no-such-dir'))).toBe(0);
  });
});

describe('expectReleased', () => {
  it('passes when at least the fraction of the growth is gone', () => {
    expect(releasedFraction({ before: 10 * MiB, grown: 110 * MiB, after: 15 * MiB })).toBeCloseTo(0.95);
    expect(() => expectReleased({ before: 10 * MiB, grown: 110 * MiB, after: 15 * MiB, fraction: 0.9 })).not.toThrow();
  });

  it('fails with the numbers when too little was released', () => {
    expect(() => expectReleased({ before: 10 * MiB, grown: 110 * MiB, after: 60 * MiB, what: 'run dir' })).toThrow(
      'run dir: expected ≥ 90% of its growth released; before 10.0 MiB, grown 110.0 MiB (+100.0 MiB), now 60.0 MiB: released 50%',
    );
  });

  it('refuses to pass when nothing grew', () => {
    expect(() => expectReleased({ before: 10 * MiB, grown: 10 * MiB, after: 0, fraction: 0.9 })).toThrow(/did not grow/);
  });
});
