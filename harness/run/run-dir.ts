/**
 * The directory every VM of one run lives under. When the run ends, normally or by Ctrl-C, the sweep
 * kills any VMM still running from it (found through the pid files QEMU writes) and removes it all,
 * so a crashed or interrupted test never leaves processes, sockets or overlays behind.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { processExists } from '../host/process-exists.ts';

/** /tmp, not os.tmpdir(): macOS's per-user temp path is too long for the sockets inside. */
export function createRunDir(): Promise<string> {
  return mkdtemp(path.join(process.platform === 'win32' ? process.env.TEMP ?? '.' : '/tmp', 'gauntlet-'));
}

export interface SweepResult {
  killed: number[];
  removed: boolean;
}

/** Synchronous on purpose: it also runs from exit and signal handlers. */
export function sweepRunDir(runDir: string): SweepResult {
  const killed: number[] = [];
  if (!existsSync(runDir)) return { killed, removed: false };
  for (const pidFile of findPidFiles(runDir)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0 || !processExists(pid) || !isOurVmm(pid, runDir)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // Already gone between the check and the kill.
    }
  }
  rmSync(runDir, { recursive: true, force: true });
  return { killed, removed: true };
}

function findPidFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findPidFiles(full);
    return entry.name === 'qemu.pid' ? [full] : [];
  });
}

/** A recycled pid must not get killed: only a process whose command line names our run dir is ours. */
function isOurVmm(pid: number, runDir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(runDir);
  } catch {
    // No /proc (macOS): the pid file was written by QEMU in our own fresh directory moments ago.
    return process.platform !== 'linux';
  }
}
