/**
 * The directory every VM of one run lives under. When the run ends, normally or by Ctrl-C, the sweep
 * kills any VMM still running from it (found through the pid files QEMU writes) and removes it all,
 * so a crashed or interrupted test never leaves processes, sockets or overlays behind.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { thisHost, type HostPlatform } from '../host/platform.ts';
import { processExists } from '../host/process-exists.ts';

export function createRunDir(host: Pick<HostPlatform, 'platform'> = thisHost): Promise<string> {
  return mkdtemp(path.join(runDirParent(host), 'gauntlet-'));
}

/** /tmp, not os.tmpdir(): macOS's per-user temp path (/var/folders/…/T/) leaves too few bytes for the sockets inside. */
export function runDirParent(host: Pick<HostPlatform, 'platform'>): string {
  return host.platform === 'win32' ? (process.env.TEMP ?? '.') : '/tmp';
}

export interface SweepResult {
  killed: number[];
  removed: boolean;
}

/** Synchronous on purpose: it also runs from exit and signal handlers. */
export function sweepRunDir(runDir: string, host: HostPlatform = thisHost): SweepResult {
  const killed: number[] = [];
  if (!existsSync(runDir)) return { killed, removed: false };
  for (const pidFile of findPidFiles(runDir)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0 || !processExists(pid) || !isOurVmm(pid, runDir, host)) continue;
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
export function isOurVmm(pid: number, runDir: string, host: HostPlatform): boolean {
  return commandLineOf(pid, host)?.includes(runDir) ?? false;
}

/** Undefined when the process is gone (or was never there). */
function commandLineOf(pid: number, host: HostPlatform): string | undefined {
  if (host.platform === 'linux') {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return undefined;
    }
  }
  // No /proc (macOS). -ww: macOS's ps cuts lines to the terminal's width, 79 columns when there is none.
  const { ok, stdout } = host.runSync('ps', ['-ww', '-o', 'command=', '-p', String(pid)]);
  return ok ? stdout : undefined;
}
