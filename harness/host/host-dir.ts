/**
 * Host directories a case hands to a VM as the home of its disks, so it can measure everything that
 * lands there (du), leaks included. They live in the run directory, whose sweep takes them along if
 * a worker dies before removing them, two levels down so the runtime's own leftover search (the VM's
 * name in the run directory and its subdirectories) does not see into them.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { readSettings } from '../config/settings.ts';

const HOST_DIRS = 'host';

export async function createHostDir(label: string): Promise<string> {
  const runDir = readSettings().runDir;
  if (!runDir) throw new Error('no run directory: start the tests through `gauntlet` or vitest with the global setup');
  const parent = path.join(runDir, HOST_DIRS);
  await mkdir(parent, { recursive: true });
  return mkdtemp(path.join(parent, `${label}-`));
}

/** Runs `use` with a fresh host directory and removes the directory afterwards, whatever happened. */
export async function withHostDir<T>(label: string, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await createHostDir(label);
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
