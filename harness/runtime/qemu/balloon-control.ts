/**
 * Balloon control of one QEMU VM over the VM's second QMP monitor, so a control client connects and
 * closes on its own without touching the connection the VM object lives on. The reference runtime never
 * asks for less than its minimum (squeezed further, the guest kills its own processes and then panics);
 * a target above the VM's memory goes to the VMM as asked, and keeping it within the memory is the VMM's
 * job, which deflate-above-max-clamps checks.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pollUntil } from '../../wait/poll.ts';
import { QmpClient } from './qmp-client.ts';
import { deadlineMs } from '../../config/constants.ts';
import { BALLOON_CONTROL } from './tuning.ts';
import { BalloonNotConnectedError, BalloonTimeoutError } from '../../contract/balloon-errors.ts';
import type { BalloonControl, BalloonLimits, BalloonMove, BalloonStats } from '../../contract/balloon.ts';
import type { VmEvent } from '../../contract/events.ts';
import type { Fault } from '../../contract/faults.ts';
import type { Accelerator } from '../../contract/run-target.ts';
import { vmEventOf } from './vm-events.ts';
import { BALLOON_DEVICE_ID } from './command-line.ts';

const MIB = 1024 * 1024;
const BALLOON_QOM_PATH = `/machine/peripheral/${BALLOON_DEVICE_ID}`;

/** This runtime's own floor and tolerance, reported by limits(); the cases judge them against the catalogue's bounds. */
export const QEMU_BALLOON_LIMITS: BalloonLimits = {
  /** Never squeezed below this: the 256 MiB guest ballooned to 77 MiB OOM-killed its agent and then panicked. */
  minimumMiB: 128,
  /** Slack between a target and where the balloon comes to rest, and around the VM's memory: as much as the catalogue allows. */
  toleranceMiB: 16,
};

export interface QemuBalloonControlOptions {
  /** The VM's control monitor (a QMP socket only balloon clients use). */
  socketPath: string;
  transcriptPath?: string;
  memoryMiB: number;
  accel: Accelerator;
  /** The control's own faults (`no-balloon-floor`, `balloon-drops-target-above-memory`, `balloon-control-untracked`, `balloon-reports-target-reached`, `balloon-move-returns-early`, `balloon-move-returns-target`, `deflate-returns-less`, `balloon-target-as-size`, `balloon-stats-wrong-unit`, `balloon-move-leaves-vm-paused`). */
  faults?: ReadonlySet<Fault>;
}

interface GuestStatsReply {
  stats: Record<string, number>;
  'last-update': number;
}

export class QemuBalloonControl implements BalloonControl {
  private qmp: QmpClient | undefined;
  private readonly timedMoves: Promise<BalloonMove>[] = [];
  /** Under `balloon-reports-target-reached`: the size last asked for, reported in place of the VMM's reading. */
  private lastAskedMiB: number | undefined;

  constructor(private readonly options: QemuBalloonControlOptions) {}

  async limits(): Promise<BalloonLimits> {
    return QEMU_BALLOON_LIMITS;
  }

  private has(fault: Fault): boolean {
    return this.options.faults?.has(fault) ?? false;
  }

  async connect(): Promise<void> {
    if (this.qmp?.connected && !this.has('balloon-control-untracked')) return;
    const qmp = new QmpClient(this.options.socketPath, this.options.transcriptPath);
    const deadline = deadlineMs(BALLOON_CONTROL.connectDeadlineMs, this.options.accel);
    // A monitor serves one client at a time: while another holds it, the greeting never comes.
    const connected = qmp.connect(deadline).then(() => 'connected' as const);
    const expiry = new AbortController();
    const expired = sleep(deadline, 'expired' as const, { signal: expiry.signal }).catch(() => 'cancelled' as const);
    try {
      if ((await Promise.race([connected, expired])) === 'expired') {
        connected.catch(() => {});
        qmp.close();
        throw new BalloonTimeoutError(`balloon control: no QMP greeting on ${this.options.socketPath} within ${deadline} ms (another client holds the monitor?)`);
      }
    } finally {
      expiry.abort();
    }
    this.qmp = qmp;
  }

  async close(): Promise<void> {
    if (this.has('balloon-control-untracked')) this.qmp!.close();
    else this.qmp?.close();
    this.qmp = undefined;
  }

  async query(): Promise<number> {
    const qmp = this.monitor('query');
    if (this.has('balloon-reports-target-reached') && this.lastAskedMiB !== undefined) return this.lastAskedMiB;
    const reply = await qmp.execute<{ actual: number }>('query-balloon');
    return reply.actual / MIB;
  }

  async setTarget(targetMiB: number): Promise<void> {
    const qmp = this.monitor('setTarget');
    const askedMiB = this.requestedTarget(targetMiB);
    if (this.has('balloon-reports-target-reached')) this.lastAskedMiB = askedMiB;
    else await qmp.execute('balloon', { value: askedMiB * MIB });
  }

  inflate(targetMiB: number): Promise<number> {
    const reached = this.requestedTarget(targetMiB) + QEMU_BALLOON_LIMITS.toleranceMiB;
    return this.moveTo('inflate', targetMiB, (actual) => actual <= reached, `≤ ${reached} MiB`);
  }

  async deflate(targetMiB: number): Promise<number> {
    if (targetMiB > this.options.memoryMiB && this.has('balloon-drops-target-above-memory')) return this.query();
    const askedMiB = this.has('deflate-returns-less') ? targetMiB - QEMU_BALLOON_LIMITS.minimumMiB : targetMiB;
    // The guest cannot have more than its memory, whatever was asked: wait for that much.
    const reached = Math.min(this.requestedTarget(askedMiB), this.options.memoryMiB) - QEMU_BALLOON_LIMITS.toleranceMiB;
    return this.moveTo('deflate', askedMiB, (actual) => actual >= reached, `≥ ${reached} MiB`);
  }

  async stats(): Promise<BalloonStats> {
    const reply = await this.monitor('stats').execute<GuestStatsReply>('qom-get', { path: BALLOON_QOM_PATH, property: 'guest-stats' });
    const scale = this.has('balloon-stats-wrong-unit') ? 1024 : 1;
    return {
      freeBytes: reported(reply.stats['stat-free-memory'], scale),
      totalBytes: reported(reply.stats['stat-total-memory'], scale),
      availableBytes: reported(reply.stats['stat-available-memory'], scale),
      // 0 until the guest has sent its first stats.
      lastUpdate: reply['last-update'] > 0 ? reply['last-update'] : undefined,
    };
  }

  async moves(): Promise<BalloonMove[]> {
    return Promise.all(this.timedMoves);
  }

  private async moveTo(direction: BalloonMove['direction'], targetMiB: number, reached: (actualMiB: number) => boolean, goal: string): Promise<number> {
    const previous = await this.query();
    const qmp = this.monitor(direction);
    const eventsBefore = qmp.events.length;
    // A paused guest cannot move the balloon: whatever the last move parked runs again first.
    if (this.has('balloon-move-leaves-vm-paused')) await qmp.execute('cont');
    const requestedAt = Date.now();
    await this.setTarget(targetMiB);
    if (this.has('balloon-move-returns-early')) return previous;
    const timeoutMs = deadlineMs(BALLOON_CONTROL.reachTargetDeadlineMs, this.options.accel);
    let actual: number;
    try {
      actual = await pollUntil(() => this.query(), reached, { timeoutMs, intervalMs: BALLOON_CONTROL.queryIntervalMs, what: `balloon ${direction} to ${targetMiB} MiB (actual ${goal})` });
    } catch (error) {
      throw new BalloonTimeoutError((error as Error).message, { cause: error });
    }
    if (this.has('balloon-move-leaves-vm-paused')) await qmp.execute('stop');
    const polled: BalloonMove = { direction, movedMiB: Math.abs(actual - previous), durationMs: Date.now() - requestedAt, timedBy: 'polling' };
    this.timedMoves.push(timeByEvent(qmp, eventsBefore, requestedAt, previous, reached, polled));
    return this.has('balloon-move-returns-target') ? actual : previous;
  }

  /** What the VMM is asked for: never below the runtime's floor. */
  private requestedTarget(targetMiB: number): number {
    const guestMiB = this.has('balloon-target-as-size') ? this.options.memoryMiB - targetMiB : targetMiB;
    return this.has('no-balloon-floor') ? guestMiB : Math.max(QEMU_BALLOON_LIMITS.minimumMiB, guestMiB);
  }

  private monitor(operation: string): QmpClient {
    if (this.has('balloon-control-untracked')) return this.qmp!;
    if (!this.qmp?.connected) throw new BalloonNotConnectedError(operation);
    return this.qmp;
  }
}

/** QEMU reports a statistic the guest has not sent as -1 (or leaves it out). */
function reported(value: number | undefined, scale: number): number | undefined {
  return value === undefined || value < 0 ? undefined : value * scale;
}

/**
 * The move as the VMM timed it: its first balloon-changed event (after `eventsBefore`) whose size is
 * reached, stamped when it happened; the polled timing when none comes in time.
 */
function timeByEvent(
  qmp: QmpClient,
  eventsBefore: number,
  requestedAt: number,
  previousMiB: number,
  reached: (actualMiB: number) => boolean,
  polled: BalloonMove,
): Promise<BalloonMove> {
  const reachingEvent = () =>
    qmp.events
      .slice(eventsBefore)
      .map(vmEventOf)
      .find((event): event is VmEvent<'balloon-changed'> & { vmmEpochMs: number } =>
        event?.kind === 'balloon-changed' && event.vmmEpochMs !== undefined && reached(event.data.actualMiB),
      );
  return new Promise((resolve) => {
    const settle = () => {
      stopListening();
      clearTimeout(timer);
      const event = reachingEvent();
      resolve(event ? { ...polled, movedMiB: Math.abs(event.data.actualMiB - previousMiB), durationMs: event.vmmEpochMs - requestedAt, timedBy: 'vmm-event' } : polled);
    };
    const stopListening = qmp.onEvent(() => void (reachingEvent() && settle()));
    const timer = setTimeout(settle, BALLOON_CONTROL.changeEventLateMs);
    if (reachingEvent()) settle();
  });
}
