import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDiskImages, parseQemuImgCheck } from '../../harness/runtime/qemu/disk-check.ts';

describe('reading qemu-img check', () => {
  it('counts nothing on a clean image', () => {
    const check = parseQemuImgCheck('a.qcow2', 0, '{"check-errors": 0, "total-clusters": 256, "format": "qcow2"}', '');
    expect(check).toMatchObject({ file: 'a.qcow2', errors: 0, leaks: 0 });
  });

  it('counts corruptions and check errors as errors, leaks apart', () => {
    expect(parseQemuImgCheck('a', 2, '{"check-errors": 1, "corruptions": 3, "leaks": 2}', '')).toMatchObject({ errors: 4, leaks: 2 });
    expect(parseQemuImgCheck('a', 3, '{"check-errors": 0, "leaks": 5}', '')).toMatchObject({ errors: 0, leaks: 5 });
  });

  it('never reads "corrupted" as clean, whatever the JSON says', () => {
    expect(parseQemuImgCheck('a', 2, '{"check-errors": 0}', '').errors).toBeGreaterThan(0);
  });

  it('counts a check that gave no verdict as an error, with what qemu-img said', () => {
    const unsupported = parseQemuImgCheck('a.raw', 63, '', 'qemu-img: This image format does not support checks');
    expect(unsupported.errors).toBeGreaterThan(0);
    expect(unsupported.report).toContain('does not support checks');
    expect(parseQemuImgCheck('a', 1, '', '').errors).toBeGreaterThan(0);
    expect(parseQemuImgCheck('a', 0, 'not json', '').errors).toBeGreaterThan(0);
  });
});

describe('qemu-img check of an image no VMM holds', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gauntlet-disk-check-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds a fresh qcow2 clean', async () => {
    const image = path.join(dir, 'fresh.qcow2');
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', image, '16M']);
    expect(await checkDiskImages('qemu-img', [image], undefined)).toEqual([expect.objectContaining({ file: image, errors: 0, leaks: 0 })]);
  });

  it('reports a file that is not a disk image', async () => {
    const [check] = await checkDiskImages('qemu-img', [path.join(dir, 'missing.qcow2')], undefined);
    expect(check!.errors).toBeGreaterThan(0);
    expect(check!.report).toMatch(/missing\.qcow2/);
  });
});
