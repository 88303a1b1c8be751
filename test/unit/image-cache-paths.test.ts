import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCacheDir, imageDir, imageDirName, rootfsBaseName, rootfsBasePath } from '../../harness/image/cache-paths.ts';
import { derivedUuid, validateLayout } from '../../harness/image/rootfs-base.ts';
import { RAW_DISK } from '../../harness/image/types.ts';
import { qemuBaseFormat } from '../../harness/runtime/qemu/disk-format.ts';
import { sourceDateEpoch, DEFAULT_SOURCE_DATE_EPOCH } from '../../harness/image/reproducible.ts';

const HASH = 'ec4ddc2e3e9d6337272efedc44f2ef941a5e02ad4b448499d7b7cdbc986ecf75';

describe('defaultCacheDir', () => {
  it('prefers GAUNTLET_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(defaultCacheDir({ GAUNTLET_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/microvm-gauntlet');
    expect(defaultCacheDir({})).toBe(path.join(os.homedir(), '.cache', 'microvm-gauntlet'));
  });

  it('makes a relative GAUNTLET_CACHE_DIR absolute and ignores empty values', () => {
    expect(defaultCacheDir({ GAUNTLET_CACHE_DIR: '.cache' })).toBe(path.resolve('.cache'));
    expect(defaultCacheDir({ GAUNTLET_CACHE_DIR: '', XDG_CACHE_HOME: '/x' })).toBe('/x/microvm-gauntlet');
  });
});

describe('cache layout', () => {
  it('names image directories <arch>-<first 16 hex of the recipe hash>', () => {
    expect(imageDirName('x86_64', HASH)).toBe('x86_64-ec4ddc2e3e9d6337');
    expect(imageDirName('aarch64', HASH)).toBe('aarch64-ec4ddc2e3e9d6337');
    expect(imageDir('/cache', 'x86_64', HASH)).toBe('/cache/images/x86_64-ec4ddc2e3e9d6337');
  });

  it('names rootfs bases by size, when given inode count, and the disk format the runtime stores them in', () => {
    expect(rootfsBaseName({ sizeMiB: 256 }, RAW_DISK)).toBe('rootfs-256m.raw');
    expect(rootfsBaseName({ sizeMiB: 64, inodes: 4096 }, qemuBaseFormat('qemu-system-x86_64'))).toBe('rootfs-64m-4096i.qcow2');
    expect(rootfsBasePath('/cache/images/x', { sizeMiB: 256 }, qemuBaseFormat('qemu-system-x86_64'))).toBe('/cache/images/x/bases/rootfs-256m.qcow2');
  });
});

describe('rootfs base parameters', () => {
  it('derives a stable, well-formed UUID per image and layout', () => {
    const a = derivedUuid(HASH, '256', 'default');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedUuid(HASH, '256', 'default')).toBe(a);
    expect(derivedUuid(HASH, '64', 'default')).not.toBe(a);
  });

  it('refuses layouts mkfs would choke on', () => {
    expect(() => validateLayout({ sizeMiB: 256 })).not.toThrow();
    expect(() => validateLayout({ sizeMiB: 2 })).toThrow(/>= 8/);
    expect(() => validateLayout({ sizeMiB: 12.5 })).toThrow(/whole number/);
    expect(() => validateLayout({ sizeMiB: 64, inodes: 0 })).toThrow(/inode/);
  });

  it('takes the build timestamp from SOURCE_DATE_EPOCH', () => {
    expect(sourceDateEpoch({})).toBe(DEFAULT_SOURCE_DATE_EPOCH);
    expect(sourceDateEpoch({ SOURCE_DATE_EPOCH: '1700000000' })).toBe(1_700_000_000);
    expect(() => sourceDateEpoch({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(/SOURCE_DATE_EPOCH/);
  });
});
