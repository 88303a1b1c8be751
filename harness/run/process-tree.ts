/**
 * This process's descendants (test workers and the VMMs they started). On an interrupt they are
 * killed before the run dir is swept, so no worker can create a VM after the sweep.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { thisHost, type HostPlatform } from '../host/platform.ts';

/** Synchronous, like everything the interrupt handler calls. */
function parentOf(host: HostPlatform): Map<number, number> {
  if (host.platform === 'linux') return parentsFromProc();
  // No /proc (macOS): ps lists every process with its parent, in the same flags on procps and BSD ps.
  const { ok, stdout } = host.runSync('ps', ['-A', '-o', 'pid=,ppid=']);
  if (!ok) throw new Error('ps -A -o pid=,ppid= failed: cannot find the processes this run started');
  return parentsFromPs(stdout);
}

function parentsFromProc(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name in field 2 may contain spaces; the parent pid follows its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Exited while we looked.
    }
  }
  return parents;
}

/** `ps -A -o pid=,ppid=`: one right-aligned "pid ppid" pair a line, no header. */
export function parentsFromPs(stdout: string): Map<number, number> {
  const parents = new Map<number, number>();
  for (const line of stdout.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (Number.isInteger(pid) && pid! > 0 && Number.isInteger(ppid)) parents.set(pid!, ppid!);
  }
  return parents;
}

export function descendantPids(root = process.pid, host: HostPlatform = thisHost): number[] {
  const parents = parentOf(host);
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const children = [...parents].filter(([, parent]) => frontier.includes(parent)).map(([pid]) => pid);
    found.push(...children);
    frontier = children;
  }
  return found;
}

export function killDescendants(): void {
  for (const pid of descendantPids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
