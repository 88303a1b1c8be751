/**
 * What of one VM the host still holds, seen by the host itself rather than asked of the runtime, by the
 * rule every runtime keeps (docs/runtime-protocol.md, "Where a sandbox lives"): one directory per VM
 * under the run dir, holding `vmm.pid`; any file of the VM outside it (disks put elsewhere) named after
 * it; every process of the VM (its VMM, any helper) naming the directory in its command line or
 * working in it. A runtime's own `leftovers()` sees only what it remembers; a helper it forgot shows here.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { VMM_PID_FILE } from '../contract/vmm-pid.ts';
import { thisHost, type HostPlatform } from '../host/platform.ts';

/** The VM's own directory under the run dir: the one whose `vmm.pid` names its VMM. */
export async function vmDirOf(runDir: string, vmmPid: number): Promise<string | undefined> {
  for (const pidFile of await filesUnder(runDir, (name) => name === VMM_PID_FILE)) {
    if (Number((await readFile(pidFile, 'utf8').catch(() => '')).trim()) === vmmPid) return path.dirname(pidFile);
  }
  return undefined;
}

/** Every process whose command line names `vmDir` (or a path in it), or whose working directory is in it, as `pid: command`. */
export async function processesOfVm(vmDir: string, host: HostPlatform = thisHost): Promise<string[]> {
  const names = (text: string) => text.split(/[\s=,:]+/).some((word) => word === vmDir || word.startsWith(`${vmDir}/`));
  // -A -ww: every process, its whole command line (POSIX; macOS's ps would cut it to 79 columns).
  const { ok, stdout } = await host.run('ps', ['-A', '-ww', '-o', 'pid=,args=']);
  if (!ok) throw new Error('ps could not list the host processes');
  const found: string[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [, pid, command] = match;
    const cwd = host.platform === 'linux' ? await readlink(`/proc/${pid}/cwd`).catch(() => '') : '';
    if (names(command!) || names(cwd)) found.push(`${pid}: ${command}`);
  }
  return found;
}

/** The VM's directory if it is still there, and every file or directory under `searchDirs` named after it. */
export async function filesOfVm(vmDir: string, searchDirs: readonly string[]): Promise<string[]> {
  const name = path.basename(vmDir);
  const found = new Set<string>();
  for (const dir of searchDirs) for (const file of await filesUnder(dir, (entry) => entry === name || entry.startsWith(`${name}-`), true)) found.add(file);
  return [...found];
}

/** Paths under `dir` whose name matches; `withDirs` also yields matching directories (not entered). */
async function filesUnder(dir: string, matches: (name: string) => boolean, withDirs = false): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (matches(entry.name) && (withDirs || !entry.isDirectory())) found.push(full);
    else if (entry.isDirectory()) found.push(...(await filesUnder(full, matches, withDirs)));
  }
  return found;
}
