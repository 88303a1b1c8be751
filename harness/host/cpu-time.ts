/**
 * CPU time of processes, from the kernel's own accounting (/proc/<pid>/stat on Linux): what the bench
 * needs to tell the harness's share of a run's CPU from the VMM's. Elsewhere (macOS has no /proc)
 * nothing is read and the share is reported as not available.
 */
import { readFileSync } from 'node:fs';

/** How the kernel counts CPU time in /proc/<pid>/stat: USER_HZ, 100 on every Linux ABI the harness runs on. */
const CPU_ACCOUNTING = { ticksPerSecond: 100 } as const;

export interface ProcessCpu {
  /** utime + stime of the process itself (all its threads). */
  ownMs: number;
  /** cutime + cstime: its children that have exited and been waited for. */
  reapedChildrenMs: number;
  /** Whose reaped children its time joins once it exits. */
  parentPid: number;
}

/** Undefined when the process is gone or the host has no /proc. */
export function processCpu(pid: number | 'self'): ProcessCpu | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseProcStat(stat);
}

/** Fields 14-17 of /proc/<pid>/stat, counted after the command name (field 2 may hold spaces and parentheses). */
export function parseProcStat(stat: string): ProcessCpu {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime field 14, so indexes 1 and 11.
  const ticks = (index: number) => Number(fields[index]);
  const msPerTick = 1000 / CPU_ACCOUNTING.ticksPerSecond;
  return {
    ownMs: (ticks(11) + ticks(12)) * msPerTick,
    reapedChildrenMs: (ticks(13) + ticks(14)) * msPerTick,
    parentPid: ticks(1),
  };
}
