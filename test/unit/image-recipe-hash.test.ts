import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashFixtures, listInputFiles, loadRecipe, recipeHash } from '../../harness/image/recipe.ts';

let fixtures: string;

async function put(rel: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.join(fixtures, rel)), { recursive: true });
  await writeFile(path.join(fixtures, rel), content);
}

beforeEach(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), 'gauntlet-recipe-test-'));
  await put('guest/recipe.json', '{"schema":1}\n');
  await put('guest/initramfs-init.sh', '#!/bin/sh\necho start\n');
  await put('guest/agent/gauntlet-agent.sh', '#!/bin/sh\n');
});

afterEach(async () => {
  await rm(fixtures, { recursive: true, force: true });
});

describe('recipe hash', () => {
  it('is stable when nothing changes, even if files are touched', async () => {
    const before = await hashFixtures(fixtures, 'x86_64');
    await utimes(path.join(fixtures, 'guest/recipe.json'), new Date(0), new Date(0));
    expect(await hashFixtures(fixtures, 'x86_64')).toBe(before);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when recipe.json changes', async () => {
    const before = await hashFixtures(fixtures, 'x86_64');
    await put('guest/recipe.json', '{"schema":1, "x":1}\n');
    expect(await hashFixtures(fixtures, 'x86_64')).not.toBe(before);
  });

  it('changes when any guest file changes, including nested ones', async () => {
    const before = await hashFixtures(fixtures, 'x86_64');
    await put('guest/agent/gauntlet-agent.sh', '#!/bin/sh\nexit 0\n');
    expect(await hashFixtures(fixtures, 'x86_64')).not.toBe(before);
  });

  it('changes when a workload is added, and fixtures/workloads may be absent', async () => {
    const before = await hashFixtures(fixtures, 'x86_64');
    await put('workloads/fill-disk.sh', '#!/bin/sh\n');
    expect(await hashFixtures(fixtures, 'x86_64')).not.toBe(before);
  });

  it('changes when a file is renamed with the same content', async () => {
    const before = await hashFixtures(fixtures, 'x86_64');
    await rm(path.join(fixtures, 'guest/initramfs-init.sh'));
    await put('guest/initramfs-init2.sh', '#!/bin/sh\necho start\n');
    expect(await hashFixtures(fixtures, 'x86_64')).not.toBe(before);
  });

  it('ignores dotfiles and files outside guest/ and workloads/', async () => {
    const before = await hashFixtures(fixtures, 'x86_64');
    await put('guest/.recipe.json.swp', 'editor junk');
    await put('other/notes.txt', 'not part of the image');
    expect(await hashFixtures(fixtures, 'x86_64')).toBe(before);
  });

  it('differs per architecture', async () => {
    expect(await hashFixtures(fixtures, 'x86_64')).not.toBe(await hashFixtures(fixtures, 'aarch64'));
  });

  it('lists input files sorted, with relative paths', async () => {
    expect(await listInputFiles(path.join(fixtures, 'guest'))).toEqual(['agent/gauntlet-agent.sh', 'initramfs-init.sh', 'recipe.json']);
    expect(await listInputFiles(path.join(fixtures, 'missing'))).toEqual([]);
  });
});

describe('the real recipe', () => {
  it('loads, validates, and hashes the same twice', async () => {
    const recipe = await loadRecipe();
    expect(recipe.arches.x86_64.kernelPackage).toBe('linux-image-cloud-amd64');
    expect(recipe.arches.aarch64.kernelPackage).toBe('linux-image-cloud-arm64');
    expect(recipe.modules).toContain('virtio_balloon');
    expect(recipe.rootfs.sizeMiB).toBe(256);
    expect(await recipeHash('x86_64')).toBe(await recipeHash('x86_64'));
  });

  it('rejects a broken recipe with the reason', async () => {
    await put('guest/recipe.json', JSON.stringify({ schema: 1, arches: {}, packages: [], modules: ['bad name'], rootfs: { sizeMiB: 0 } }));
    await expect(loadRecipe(fixtures)).rejects.toThrow(/arches\.x86_64.*modules must be module names.*sizeMiB/);
  });
});
