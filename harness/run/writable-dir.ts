/**
 * A run writes its reports and its image cache; a directory it cannot create or write must stop the
 * run before the first case with one line, not after every case ran (or as a raw ENOTDIR).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SettingsError } from '../config/settings.ts';

const WHY: Record<string, string> = {
  ENOTDIR: 'a part of its path is a file, not a directory',
  EEXIST: 'it exists and is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the filesystem is read-only',
  ENOSPC: 'no space left on the device',
};

export async function ensureWritableDir(dir: string, what: string): Promise<void> {
  const probe = path.join(dir, `.gauntlet-write-probe-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new SettingsError(`${what} ${dir} cannot be created or written: ${WHY[code] ?? (error as Error).message.split('\n')[0]}`);
  }
}
