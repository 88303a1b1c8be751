/**
 * A run writes its reports and its image cache; a directory it cannot create or write must stop the
 * run before the first case with one line, not after every case ran (or as a raw ENOTDIR).
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SettingsError } from '../config/settings.ts';

const WHY: Record<string, string> = {
  ENOTDIR: 'a part of its path is a file, not a directory',
  EEXIST: 'it exists and is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the filesystem is read-only',
  ENOSPC: 'no space left on the device',
  ENOENT: 'its parent directory does not take new entries',
};

/**
 * mkdir -p, one level at a time from the deepest existing ancestor: Node's own recursive mkdir never
 * returns where a parent exists but refuses new entries with ENOENT (/proc, /sys), so a run would hang.
 */
async function createPath(dir: string): Promise<void> {
  const missing: string[] = [];
  let existing = path.resolve(dir);
  while (!(await exists(existing))) {
    missing.unshift(existing);
    existing = path.dirname(existing);
  }
  for (const level of missing) await mkdir(level);
  if (missing.length === 0 && !(await stat(existing)).isDirectory()) {
    throw Object.assign(new Error(`${existing} is not a directory`), { code: 'EEXIST' });
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

export async function ensureWritableDir(dir: string, what: string): Promise<void> {
  const probe = path.join(dir, `.gauntlet-write-probe-${process.pid}`);
  try {
    await createPath(dir);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new SettingsError(`${what} ${dir} cannot be created or written: ${WHY[code] ?? (error as Error).message.split('\n')[0]}`);
  }
}
