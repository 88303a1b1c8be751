/**
 * The VMM's own memory: what QEMU holds resident beyond the guest RAM it maps for the guest (its code
 * and libraries, heap, device state, and under TCG its translation cache), watched through each VM's
 * life. Guest RAM is the one anonymous mapping of exactly the size QEMU reports for it (QEMU maps each
 * RAM block whole), found once in /proc/<pid>/maps; a look is then the process's resident pages
 * (/proc/<pid>/statm, a counter) less the guest RAM's present ones (its range of /proc/<pid>/pagemap).
 * Reading /proc/<pid>/smaps instead walked and printed every mapping: 12 ms a look on a loaded host
 * against 2.6 ms, and at a look a second per VM the harness's share of the CPU rose from 3.8 % to
 * 5.1 %, past its 5 % target. Linux only, so the capability is missing elsewhere.
 *
 * The looks are taken on a thread of their own, one per test worker for all its VMs, and stamped
 * there: a worker's event loop is held for a second at a time on a loaded host (balloon polling,
 * transcripts, other VMs), and looks taken on it came up to 1.1 s apart with the VMM behaving.
 */
import { Worker } from 'node:worker_threads';
import type { VmmOverheadWatch } from '../../contract/sandbox.ts';
import { VMM_OVERHEAD } from './tuning.ts';

/**
 * The thread, in plain JavaScript (a thread does not go through the loader that compiles this file):
 * every `periodMs` it looks at each watched VMM, takes the overhead, and keeps per VM the looks and
 * the longest time between two of them while a VMM ran. A VMM that is gone (no /proc entry, or an
 * exited one's empty memory) ends its watch quietly (a stop, a destroy); the next boot of the VM
 * watches its new VMM under the same key.
 */
const THREAD_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { closeSync, openSync, readFileSync, readSync } = require('node:fs');
const KIB = 1024;
const PAGE = 4096;
const watches = new Map();

// The guest RAM's pages: [first page number, count], from the maps' one anonymous mapping of its size.
function guestRamPages(maps, guestRamBytes) {
  const large = [];
  for (const line of maps.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // address perms offset dev inode [path]: anonymous when no path follows the inode.
    if (fields.length !== 5) continue;
    const [start, end] = fields[0].split('-').map((hex) => parseInt(hex, 16));
    if (end - start === guestRamBytes) return [start / PAGE, guestRamBytes / PAGE];
    if (end - start >= guestRamBytes / 4) large.push((end - start) / KIB / KIB + ' MiB');
  }
  if (maps.trim() === '') return undefined;
  throw new Error('no anonymous mapping of the guest RAM size (' + guestRamBytes / KIB / KIB + ' MiB; the large anonymous ones: ' + (large.join(', ') || 'none') + ')');
}

// Resident bytes beside the guest RAM's; undefined once the VMM has exited (an exited but unreaped
// process still has a /proc entry, with nothing resident and no pages to read).
function overheadBytes(watch) {
  if (watch.ramPages === undefined) {
    watch.ramPages = guestRamPages(readFileSync(watch.proc + '/maps', 'utf8'), watch.guestRamBytes);
    if (watch.ramPages === undefined) return undefined;
  }
  const resident = Number(readFileSync(watch.proc + '/statm', 'utf8').split(' ')[1]);
  if (!(resident > 0)) return undefined;
  const [first, count] = watch.ramPages;
  const entries = watch.entries && watch.entries.length === count * 8 ? watch.entries : (watch.entries = Buffer.alloc(count * 8));
  const fd = openSync(watch.proc + '/pagemap', 'r');
  let read;
  try {
    read = readSync(fd, entries, 0, entries.length, first * 8);
  } finally {
    closeSync(fd);
  }
  if (read < entries.length) return undefined;
  // The top byte of each little-endian entry: bit 63 present, 56 mapped by this process alone. Only
  // pages of both are the guest's own: a guest that reads memory it never wrote maps the kernel's zero
  // page (a huge one where THP is on: 128 to 190 MiB of 256 seen), present but shared and not in the
  // resident count. A guest page KSM merged with another is shared too: on a host that runs KSM those
  // count as the VMM's own.
  let present = 0;
  for (let at = 7; at < entries.length; at += 8) if ((entries[at] & 0x81) === 0x81) present += 1;
  return (resident - present) * PAGE;
}

let tick = 0;
function look() {
  const now = Date.now();
  tick += 1;
  for (const watch of watches.values()) {
    if (watch.pid === undefined || tick % watch.everyTicks !== 0) continue;
    let bytes;
    try {
      bytes = overheadBytes(watch);
    } catch (error) {
      if (error.code !== 'ENOENT' && error.code !== 'ESRCH') watch.error = String(error.message);
    }
    if (bytes === undefined) {
      watch.pid = undefined;
      continue;
    }
    watch.longestGapMs = Math.max(watch.longestGapMs, now - watch.lastLookAt);
    watch.lastLookAt = now;
    watch.points.push({ atMs: now - watch.since, bytes });
    watch.peakBytes = Math.max(watch.peakBytes, bytes);
  }
}

parentPort.on('message', (message) => {
  const { kind, key } = message;
  if (kind === 'watch') {
    const watch = watches.get(key) ?? { since: message.since, points: [], peakBytes: 0, longestGapMs: 0 };
    Object.assign(watch, { pid: message.pid, proc: message.proc, guestRamBytes: message.guestRamBytes, everyTicks: message.everyTicks, lastLookAt: Date.now(), ramPages: undefined });
    watches.set(key, watch);
  } else if (kind === 'report') {
    const watch = watches.get(key);
    parentPort.postMessage({ id: message.id, report: watch && { samples: watch.points.length, peakBytes: watch.peakBytes, longestGapMs: watch.longestGapMs, points: watch.points, ...(watch.error ? { error: watch.error } : {}) } });
  } else if (kind === 'forget') {
    watches.delete(key);
  }
});
setInterval(look, workerData.periodMs);
`;

interface ReportMessage {
  id: number;
  report: (VmmOverheadWatch & { error?: string }) | undefined;
}

/** The watching thread of this process, started with the first watch; it does not hold the process open. */
class OverheadWatcher {
  private thread: Worker | undefined;
  private readonly waiting = new Map<number, (message: ReportMessage) => void>();
  private requests = 0;

  private get worker(): Worker {
    if (!this.thread) {
      const thread = new Worker(THREAD_SOURCE, { eval: true, workerData: { periodMs: VMM_OVERHEAD.tickMs } });
      thread.unref();
      thread.on('message', (message: ReportMessage) => {
        this.waiting.get(message.id)?.(message);
        this.waiting.delete(message.id);
      });
      this.thread = thread;
    }
    return this.thread;
  }

  /**
   * Watches `pid` as the VMM of `key` from now on; `proc` is its /proc directory (one holding `maps`,
   * `statm` and `pagemap` of the same form in tests). `everyTicks` above 1 looks at it only every so
   * many ticks of the thread (fault vmm-overhead-looks-seldom).
   */
  watch(key: string, pid: number, guestRamBytes: number, since: number, { proc = `/proc/${pid}`, everyTicks = 1 } = {}): void {
    this.worker.postMessage({ kind: 'watch', key, pid, guestRamBytes, since, proc, everyTicks });
  }

  async report(key: string): Promise<VmmOverheadWatch> {
    const id = ++this.requests;
    const { report } = await new Promise<ReportMessage>((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ kind: 'report', key, id });
    });
    if (!report) throw new Error(`the VMM of ${key} was never watched`);
    if (report.error) throw new Error(`the VMM's own memory could not be read: ${report.error}`);
    return report;
  }

  forget(key: string): void {
    this.thread?.postMessage({ kind: 'forget', key });
  }
}

export const vmmOverheadWatcher = new OverheadWatcher();

/** Ticks of the thread between looks at one VMM: as many as fit in what the spec asked, else the default. */
export function overheadLookTicks(lookEveryMs: number | undefined): number {
  return Math.max(1, Math.floor((lookEveryMs ?? VMM_OVERHEAD.defaultLookEveryMs) / VMM_OVERHEAD.tickMs));
}
