/**
 * The VMM's own memory: what QEMU holds resident beyond the guest RAM it maps for the guest (its code
 * and libraries, heap, device state, and under TCG its translation cache), watched through each VM's
 * life. Read from /proc/<pid>/smaps, where guest RAM is the one anonymous mapping of exactly the size
 * QEMU reports for it (QEMU maps each RAM block whole); Linux only, so the capability is missing elsewhere.
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
 * every `periodMs` it reads each watched VMM's smaps, takes the overhead, and keeps per VM the looks
 * and the longest time between two of them while a VMM ran. A VMM that is gone ends its watch quietly
 * (a stop, a destroy); the next boot of the VM watches its new VMM under the same key.
 */
const THREAD_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const KIB = 1024;
const watches = new Map();

function overheadBytes(smaps, guestRamBytes) {
  let guestRamResident = -1, resident = 0, anonymous = false, size = 0;
  for (const line of smaps.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) { anonymous = header[1].trim() === ''; size = 0; continue; }
    const field = /^(Size|Rss):\s+(\d+) kB$/.exec(line);
    if (!field) continue;
    const bytes = Number(field[2]) * KIB;
    if (field[1] === 'Size') { size = bytes; continue; }
    resident += bytes;
    if (anonymous && size === guestRamBytes && guestRamResident < 0) guestRamResident = bytes;
  }
  if (guestRamResident < 0) throw new Error('no anonymous mapping of the guest RAM size (' + guestRamBytes / KIB / KIB + ' MiB)');
  return resident - guestRamResident;
}

let tick = 0;
function look() {
  const now = Date.now();
  tick += 1;
  for (const watch of watches.values()) {
    if (watch.pid === undefined || tick % watch.everyTicks !== 0) continue;
    let bytes;
    try {
      bytes = overheadBytes(readFileSync(watch.smaps, 'utf8'), watch.guestRamBytes);
    } catch (error) {
      if (error.code !== 'ENOENT' && error.code !== 'ESRCH') watch.error = String(error.message);
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
    Object.assign(watch, { pid: message.pid, smaps: message.smaps, guestRamBytes: message.guestRamBytes, everyTicks: message.everyTicks, lastLookAt: Date.now() });
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
      const thread = new Worker(THREAD_SOURCE, { eval: true, workerData: { periodMs: VMM_OVERHEAD.lookEveryMs } });
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
   * Watches `pid` as the VMM of `key` from now on; `smaps` is its memory map (a file of the same form in
   * tests). `everyTicks` above 1 looks at it only every so many ticks of the thread (fault
   * vmm-overhead-looks-seldom).
   */
  watch(key: string, pid: number, guestRamBytes: number, since: number, { smaps = `/proc/${pid}/smaps`, everyTicks = 1 } = {}): void {
    this.worker.postMessage({ kind: 'watch', key, pid, guestRamBytes, since, smaps, everyTicks });
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
