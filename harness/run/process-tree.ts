/**
 * This process's descendants (test workers and the VMMs they started). On an interrupt they are
 * killed before the run dir is swept, so no worker can create a VM after the sweep.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execaSync } from 'execa';

function parentOf(): Map<number, number> {
  const parents = new Map<number, number>();
  if (process.platform === 'linux') {
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
  } else {
    for (const line of execaSync('ps', ['-A', '-o', 'pid=,ppid=']).stdout.split('\n')) {
      const [pid, ppid] = line.trim().split(/\s+/).map(Number);
      if (pid) parents.set(pid, ppid);
    }
  }
  return parents;
}

export function descendantPids(root = process.pid): number[] {
  const parents = parentOf();
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
