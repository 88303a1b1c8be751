import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create, extract } from 'tar';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { importImageArchive, writeImageArchive } from '../../harness/image/archive.ts';
import { imagesRoot } from '../../harness/image/cache-paths.ts';
import { ensureGuestImage, findGuestImage } from '../../harness/image/guest-image.ts';
import { recipeHash } from '../../harness/image/recipe.ts';
import type { GuestArch } from '../../harness/image/types.ts';
import { fakeImage, type FakeImageOptions } from './fixtures/fake-image.ts';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'gauntlet-archive-test-'));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await rm(work, { recursive: true, force: true });
});

async function exportFake(opts: FakeImageOptions = {}): Promise<string> {
  const file = path.join(work, `image-${opts.arch ?? 'x86_64'}.tar.gz`);
  await writeImageArchive(await fakeImage(path.join(work, 'source-cache'), opts), file);
  return file;
}

/** Unpacks an archive, lets `change` edit the tree (contents.json untouched), packs it again. */
async function tamper(file: string, change: (dir: string) => Promise<void>): Promise<string> {
  const dir = await mkdtemp(path.join(work, 'tamper-'));
  await extract({ file, cwd: dir });
  await change(dir);
  const out = path.join(work, `tampered-${path.basename(dir)}.tar.gz`);
  await create({ file: out, cwd: dir, gzip: true }, (await readdir(dir)).sort());
  return out;
}

const quiet = () => {};

function importInto(cacheDir: string, file: string, arch: GuestArch = 'x86_64') {
  return importImageArchive({ file, arch, cacheDir, progress: quiet });
}

describe('image archive', () => {
  it('round-trips an image into an empty cache dir where findGuestImage finds it, modes and links intact', async () => {
    const file = await exportFake();
    const cacheDir = path.join(work, 'empty-cache');
    const outcome = await importInto(cacheDir, file);
    expect(outcome.kind).toBe('imported');

    const image = await findGuestImage({ arch: 'x86_64', cacheDir });
    expect(image?.dir).toBe(outcome.dir);
    // What `gauntlet run` calls: it finds the image and builds nothing (a build would need apt).
    expect((await ensureGuestImage({ arch: 'x86_64', cacheDir })).dir).toBe(outcome.dir);
    expect(image?.kernelVersion).toBe('6.1.0-test');
    expect(await readFile(image!.kernel, 'utf8')).toBe('kernel');
    expect(await readlink(path.join(outcome.dir, 'rootfs/bin/sh'))).toBe('busybox');
    expect(await readlink(path.join(outcome.dir, 'rootfs/etc/inittab'))).toBe('../run/inittab');
    const mode = async (rel: string) => (await lstat(path.join(outcome.dir, rel))).mode & 0o7777;
    expect(await mode('rootfs/tmp')).toBe(0o1777);
    expect(await mode('rootfs/proc')).toBe(0o555);
    expect(await mode('bases/rootfs-256m.qcow2')).toBe(0o444);
    expect(await mode('.')).toBe(0o755);
    // No contents.json left in the image, no temp dir or lock beside it.
    expect(await readdir(outcome.dir)).not.toContain('contents.json');
    expect(await readdir(imagesRoot(cacheDir))).toEqual([path.basename(outcome.dir)]);
  });

  it('exports the same image to the same bytes', async () => {
    const dir = await fakeImage(path.join(work, 'source-cache'));
    await writeImageArchive(dir, path.join(work, 'a.tar.gz'));
    await writeImageArchive(dir, path.join(work, 'b.tar.gz'));
    expect((await readFile(path.join(work, 'a.tar.gz'))).equals(await readFile(path.join(work, 'b.tar.gz')))).toBe(true);
  });

  it('leaves out the saved VM states a runtime keeps beside the image: they are only valid on this host', async () => {
    const dir = await fakeImage(path.join(work, 'states-cache'));
    await mkdir(path.join(dir, 'snapshots', 'abc'), { recursive: true });
    await writeFile(path.join(dir, 'snapshots', 'abc', 's1.state'), 'memory');
    const file = path.join(work, 'with-states.tar.gz');
    await writeImageArchive(dir, file);
    const { dir: imported } = await importInto(path.join(work, 'states-import'), file);
    expect(await readdir(imported)).not.toContain('snapshots');
  });

  it('says an identical image is already there, and adds the rootfs bases it lacks', async () => {
    const file = await exportFake();
    const cacheDir = path.join(work, 'cache');
    const { dir } = await importInto(cacheDir, file);
    await rm(path.join(dir, 'bases'), { recursive: true });
    const again = await importInto(cacheDir, file);
    expect(again).toEqual({ kind: 'already-there', dir, addedBases: ['rootfs-256m.qcow2'] });
    expect((await lstat(path.join(dir, 'bases/rootfs-256m.qcow2'))).mode & 0o777).toBe(0o444);
    expect(await readdir(imagesRoot(cacheDir))).toEqual([path.basename(dir)]);
  });

  it('replaces another build of the same recipe', async () => {
    const file = await exportFake();
    const cacheDir = path.join(work, 'cache');
    const other = await fakeImage(cacheDir);
    await writeFile(path.join(other, 'manifest.json'), (await readFile(path.join(other, 'manifest.json'), 'utf8')).replace('2026-01-01', '2025-01-01'));
    expect((await importInto(cacheDir, file)).kind).toBe('replaced');
    expect((await findGuestImage({ arch: 'x86_64', cacheDir }))?.manifest.builtAt).toBe('2026-01-01T00:00:00.000Z');
    expect(await readdir(imagesRoot(cacheDir))).toEqual([path.basename(other)]);
  });

  const refusals: [string, (dir: string) => Promise<void>, RegExp][] = [
    ['a changed member', (dir) => writeFile(path.join(dir, 'rootfs/bin/busybox'), 'evil'), /: rootfs\/bin\/busybox: sha256 mismatch$/],
    ['an extra member', (dir) => writeFile(path.join(dir, 'rootfs/etc/extra'), 'x'), /: rootfs\/etc\/extra: extra member, not in contents\.json$/],
    ['a missing member', (dir) => rm(path.join(dir, 'rootfs/bin/sh')), /: rootfs\/bin\/sh: missing$/],
    ['a retargeted symlink', async (dir) => {
      await rm(path.join(dir, 'rootfs/bin/sh'));
      await symlink('gauntlet-agent', path.join(dir, 'rootfs/bin/sh'));
    }, /: rootfs\/bin\/sh: symlink target differs from the list$/],
    ['a symlink out of the image', (dir) => symlink('../../../../etc/passwd', path.join(dir, 'rootfs/bin/evil')), /: rootfs\/bin\/evil: symlink to \.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd points outside rootfs\/$/],
    ['a symlink as the kernel', async (dir) => {
      await rm(path.join(dir, 'kernel'));
      await symlink('rootfs/bin/busybox', path.join(dir, 'kernel'));
    }, /: kernel: symlink outside rootfs\/$/],
    ['no contents.json', (dir) => rm(path.join(dir, 'contents.json')), /: contents\.json missing/],
  ];
  for (const [what, change, message] of refusals) {
    it(`refuses ${what} and leaves no image behind`, async () => {
      const file = await tamper(await exportFake(), change);
      const cacheDir = path.join(work, 'cache');
      await expect(importInto(cacheDir, file)).rejects.toThrow(message);
      expect(await readdir(imagesRoot(cacheDir))).toEqual([]);
    });
  }

  it('refuses a member whose path climbs out, and writes nothing there', async () => {
    const staging = path.join(work, 'staging', 'inner');
    await mkdir(staging, { recursive: true });
    await writeFile(path.join(work, 'staging', 'evil'), 'x');
    const file = path.join(work, 'traversal.tar.gz');
    await create({ file, cwd: staging, gzip: true, preservePaths: true }, ['../evil']);
    const cacheDir = path.join(work, 'cache');
    await expect(importInto(cacheDir, file)).rejects.toThrow(/: \.\.\/evil: path escapes the image directory$/);
    expect(await readdir(path.join(cacheDir, 'images'))).toEqual([]);
    expect(await readdir(cacheDir)).toEqual(['images']);
  });

  it('refuses an image of another recipe, saying so', async () => {
    const file = await exportFake({ recipeHash: 'f'.repeat(64) });
    const wanted = (await recipeHash('x86_64')).slice(0, 16);
    await expect(importInto(path.join(work, 'cache'), file)).rejects.toThrow(
      new RegExp(`: image of recipe ffffffffffffffff, but this checkout's x86_64 recipe is ${wanted} `),
    );
  });

  it('refuses an image of another arch, naming the flag that imports it', async () => {
    const file = await exportFake({ arch: 'aarch64' });
    await expect(importInto(path.join(work, 'cache'), file)).rejects.toThrow(/: holds an aarch64 image, not x86_64 \(import it with --arch aarch64\)$/);
  });

  it('refuses a file that is not a tar.gz', async () => {
    const file = path.join(work, 'junk.tar.gz');
    await writeFile(file, 'not an archive');
    await expect(importInto(path.join(work, 'cache'), file)).rejects.toThrow(/^image archive .*junk\.tar\.gz: not a readable tar\.gz/);
  });
});

describe('gauntlet image import / export', () => {
  async function runCli(argv: string[]): Promise<{ code: number; errors: string[] }> {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
    vi.spyOn(console, 'log').mockImplementation(() => {});
    return { code: await main(argv), errors };
  }

  it('exits 2 with one line for a tampered archive', async () => {
    const file = await tamper(await exportFake(), (dir) => writeFile(path.join(dir, 'rootfs/bin/busybox'), 'evil'));
    vi.stubEnv('GAUNTLET_CACHE_DIR', path.join(work, 'cli-cache'));
    const { code, errors } = await runCli(['image', 'import', file, '--arch', 'x86_64']);
    expect(code).toBe(2);
    expect(errors).toEqual([`gauntlet: image archive ${file}: rootfs/bin/busybox: sha256 mismatch`]);
  });

  it('imports a good archive with exit 0', async () => {
    vi.stubEnv('GAUNTLET_CACHE_DIR', path.join(work, 'cli-cache'));
    const { code } = await runCli(['image', 'import', await exportFake(), '--arch', 'x86_64']);
    expect(code).toBe(0);
    expect(await findGuestImage({ arch: 'x86_64', cacheDir: path.join(work, 'cli-cache') })).toBeDefined();
  });

  it('exits 2 with one line when there is no image to export', async () => {
    vi.stubEnv('GAUNTLET_CACHE_DIR', path.join(work, 'no-image'));
    const { code, errors } = await runCli(['image', 'export', path.join(work, 'out.tar.gz'), '--arch', 'x86_64']);
    expect(code).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^gauntlet: no x86_64 image of this checkout's recipe in .*: run gauntlet image build --arch x86_64 first$/);
  });
});
