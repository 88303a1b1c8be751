/**
 * The directory every VM of one run lives under. When the run ends, normally or by Ctrl-C, the sweep
 * kills any VMM still running from it (found through the `vmm.pid` file every runtime writes in its VM dir) and removes it all,
 * so a crashed or interrupted test never leaves processes, sockets or overlays behind. A run killed
 * outright (SIGKILL, OOM killer, a CI timeout) cannot sweep: each run dir names its owner process,
 * and every later run reaps the dirs whose owner is gone.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { thisHost, type HostPlatform } from '../host/platform.ts';
import { processExists } from '../host/process-exists.ts';
import { VMM_PID_FILE } from '../contract/vmm-pid.ts';

/** Specific enough that no other tool's (or test's) /tmp/gauntlet-* directory is ever taken for a run dir and reaped. */
const RUN_DIR_PREFIX = 'gauntlet-run-';
/** The pid of the process that owns a run dir: the one whose exit or interrupt handler sweeps it. */
const OWNER_FILE = 'owner.pid';
/**
 * A run dir without an owner file is either being created (mkdtemp, then the owner file, a moment
 * apart) or was left by a run killed in that moment; only the second is reaped, once it is this old.
 */
const OWNERLESS_GRACE_MS = 60_000;

export async function createRunDir(host: Pick<HostPlatform, 'platform'> = thisHost): Promise<string> {
  const dir = await mkdtemp(path.join(runDirParent(host), RUN_DIR_PREFIX));
  await writeFile(path.join(dir, OWNER_FILE), `${process.pid}\n`);
  return dir;
}

/**
 * The run's own temporary directory, made for TMPDIR: vitest's transformed modules and what the
 * tests make for themselves then live in the run dir, so they go with its sweep, or with a later
 * run's reaping when the run was killed outright (vitest removes its own only when it is closed).
 */
export function runTempDir(runDir: string): string {
  const dir = path.join(runDir, 'tmp');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface ReapResult {
  /** Run dirs removed, each with the VMMs that were still running from it. */
  reaped: { dir: string; killed: number[] }[];
}

/**
 * Sweeps every run dir whose owner process is gone. A live run's dir, however old, is never touched:
 * two runs at once on one host each keep theirs.
 */
export function reapDeadRuns(parent: string = runDirParent(thisHost), host: HostPlatform = thisHost, now = Date.now()): ReapResult {
  const reaped: ReapResult['reaped'] = [];
  let entries: string[];
  try {
    entries = readdirSync(parent).filter((name) => name.startsWith(RUN_DIR_PREFIX));
  } catch {
    return { reaped };
  }
  for (const name of entries) {
    const dir = path.join(parent, name);
    if (!isAbandoned(dir, now)) continue;
    reaped.push({ dir, killed: sweepRunDir(dir, host).killed });
  }
  return { reaped };
}

function isAbandoned(dir: string, now: number): boolean {
  let owner: number;
  try {
    if (!statSync(dir).isDirectory()) return false;
    owner = Number(readFileSync(path.join(dir, OWNER_FILE), 'utf8').trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    try {
      return now - statSync(dir).mtimeMs > OWNERLESS_GRACE_MS;
    } catch {
      return false;
    }
  }
  return Number.isInteger(owner) && owner > 0 && !processExists(owner);
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

/** The `vmm.pid` files under a run dir: one in each VM's own directory. */
export function findPidFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findPidFiles(full);
    return entry.name === VMM_PID_FILE ? [full] : [];
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
