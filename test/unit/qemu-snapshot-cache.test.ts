import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { fileIdentity, snapshotCacheDir, type SnapshotCacheInputs } from '../../harness/runtime/qemu/snapshot-cache.ts';
import { keepOverlay } from '../../harness/runtime/qemu/snapshot.ts';
import { SNAPSHOT } from '../../harness/runtime/qemu/tuning.ts';
import { scratchDir } from '../fixtures/scratch-dir.ts';

// Every worker of a run forgets old builds as it starts: one can remove a build directory between
// another's listing and its look at that directory. A path put here vanishes when it is looked at.
const removedMeanwhile = vi.hoisted(() => ({ paths: new Set<string>() }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const stat = async (file: string) => {
    if (removedMeanwhile.paths.delete(String(file))) await fs.rm(file, { recursive: true });
    return fs.stat(file);
  };
  return { ...fs, stat, default: { ...fs, stat } };
});

async function buildFiles(): Promise<SnapshotCacheInputs> {
  const dir = await scratchDir('snapshot-cache');
  const at = (name: string) => path.join(dir, name);
  await Promise.all([writeFile(at('qemu'), 'vmm build 1'), writeFile(at('vmlinuz'), 'kernel 1'), writeFile(at('initramfs'), 'initramfs 1')]);
  return { imageDir: at('image'), qemuBinary: at('qemu'), kernel: at('vmlinuz'), initramfs: at('initramfs'), accel: 'tcg' };
}

describe('the saved-state cache', () => {
  it('lives beside the image, so removing the image removes its states', async () => {
    const inputs = await buildFiles();
    expect(path.dirname(path.dirname(await snapshotCacheDir(inputs)))).toBe(inputs.imageDir);
  });

  it('is another directory when the VMM, the kernel or the initramfs changes in place, at the same path', async () => {
    for (const file of ['qemuBinary', 'kernel', 'initramfs'] as const) {
      const inputs = await buildFiles();
      const before = await snapshotCacheDir(inputs);
      expect(await snapshotCacheDir(inputs)).toBe(before);
      await writeFile(inputs[file], 'rebuilt');
      expect(await snapshotCacheDir(inputs), file).not.toBe(before);
    }
  });

  it('follows the host CPU only where a hardware accelerator passes it through', async () => {
    const inputs = await buildFiles();
    expect(await snapshotCacheDir(inputs, 'x64 AMD EPYC')).toBe(await snapshotCacheDir(inputs, 'x64 Intel Xeon'));
    const kvm = { ...inputs, accel: 'kvm' as const };
    expect(await snapshotCacheDir(kvm, 'x64 AMD EPYC')).not.toBe(await snapshotCacheDir(kvm, 'x64 Intel Xeon'));
    expect(await snapshotCacheDir(kvm, 'x64 AMD EPYC')).not.toBe(await snapshotCacheDir(inputs, 'x64 AMD EPYC'));
  });

  describe(`keeps the states of the ${SNAPSHOT.keptBuilds} builds used last, and forgets older ones`, () => {
    async function withOldBuilds(removedByAnotherWorker: boolean): Promise<void> {
      const inputs = await buildFiles();
      const snapshots = path.join(inputs.imageDir, 'snapshots');
      const old = Array.from({ length: SNAPSHOT.keptBuilds + 1 }, (_, age) => path.join(snapshots, `build-${age}`));
      for (const [age, dir] of old.entries()) {
        await mkdir(dir, { recursive: true });
        const usedAt = new Date(Date.now() - (age + 1) * 3_600_000);
        await utimes(dir, usedAt, usedAt);
      }
      if (removedByAnotherWorker) removedMeanwhile.paths.add(old.at(-1)!);
      const current = await snapshotCacheDir(inputs);
      expect(removedMeanwhile.paths.size).toBe(0);
      expect((await readdir(snapshots)).sort()).toEqual([path.basename(current), ...old.slice(0, SNAPSHOT.keptBuilds - 1).map((dir) => path.basename(dir))].sort());
    }

    it('one worker alone', () => withOldBuilds(false));
    it('passing over a build another worker removed meanwhile', () => withOldBuilds(true));
  });

  it('tells a root disk base built again from the one before, even with the same bytes', async () => {
    const { kernel: file } = await buildFiles();
    const before = await fileIdentity(file);
    await rm(file);
    await writeFile(file, 'kernel 1');
    expect(await fileIdentity(file)).not.toBe(before);
  });
});

// /dev/shm is a tmpfs on Linux: an overlay there cannot be renamed into the cache on another filesystem.
describe.runIf(existsSync('/dev/shm'))('a saved overlay', () => {
  it('is copied read-only into the cache from another filesystem, and the run dir keeps no copy', async () => {
    const runDir = await scratchDir('gauntlet-test', '/dev/shm');
    const cache = await scratchDir('snapshot-cache');
    const overlay = path.join(runDir, 'root.qcow2');
    const saved = path.join(cache, 's1-root.qcow2');
    await writeFile(overlay, 'disk as the template left it');
    await keepOverlay(overlay, saved);
    expect(await readFile(saved, 'utf8')).toBe('disk as the template left it');
    expect((await stat(saved)).mode & 0o777).toBe(0o444);
    expect(existsSync(overlay)).toBe(false);
    expect(existsSync(`${saved}.partial`)).toBe(false);
  });
});
