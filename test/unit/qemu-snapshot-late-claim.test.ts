/**
 * The one interleaving of two workers the shared-directory tests cannot bring about on their own: a
 * worker looks for a profile's ready mark, finds none, and by the time it takes the lock the other
 * worker has saved the state, marked it ready and let go. Saving again would rewrite the state under
 * VMs already restoring from it, so the look is made to come too early here.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it, vi } from 'vitest';
import { SnapshotStore } from '../../harness/runtime/qemu/snapshot.ts';
import { scratchDir } from '../fixtures/scratch-dir.ts';

const earlyLook = vi.hoisted(() => ({ paths: new Set<string>() }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return { ...fs, existsSync: (file: string) => (earlyLook.paths.delete(String(file)) ? false : fs.existsSync(file)) };
});

it('a worker that wins the lock after another finished the save keeps that state', async () => {
  const dir = await scratchDir('snapshots');
  const saves: string[] = [];
  const first = await new SnapshotStore(async () => dir, path.join(dir, 'run')).get('profile', async (files) => {
    saves.push(files.stateFile);
    await writeFile(files.stateFile, 'saved first');
  });
  earlyLook.paths.add(path.dirname(first.stateFile));
  const late = await new SnapshotStore(async () => dir, path.join(dir, 'run')).get('profile', async (files) => {
    saves.push(files.stateFile);
    await writeFile(files.stateFile, 'saved again');
  });
  expect(earlyLook.paths.size).toBe(0);
  expect(saves).toHaveLength(1);
  expect(late.stateFile).toBe(first.stateFile);
  expect(await readFile(late.stateFile, 'utf8')).toBe('saved first');
});
