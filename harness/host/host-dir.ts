/**
 * Host directories a case hands to a VM as the home of its disks, so it can measure everything that
 * lands there (du), leaks included. They live in the run directory, whose sweep takes them along if
 * a worker dies before removing them, two levels down so the runtime's own leftover search (the VM's
 * name in the run directory and its subdirectories) does not see into them.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';

const HOST_DIRS = 'host';

/** A fresh directory under `runDir`, the prepared run's directory (the vm fixture's `run.runDir`). */
export async function createHostDir(runDir: string, label: string): Promise<string> {
  const parent = path.join(runDir, HOST_DIRS);
  await mkdir(parent, { recursive: true });
  return mkdtemp(path.join(parent, `${label}-`));
}

/** Runs `use` with a fresh host directory and removes the directory afterwards, whatever happened. */
export async function withHostDir<T>(runDir: string, label: string, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await createHostDir(runDir, label);
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
