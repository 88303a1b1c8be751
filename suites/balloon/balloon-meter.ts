/**
 * A balloon case's instruments: the control it drives and the guest and host memory it reads, each
 * reading kept as a metric or a series point for the reports as it is taken.
 */
import { sampleUntilStable, type SamplePoint } from '../../harness/assert/index.ts';
import { deadlineMs } from '../../harness/config/constants.ts';
import { catalogueBalloonLimits } from './catalogue-limits.ts';
import { BALLOON } from './limits.ts';
import type { CaseRecorder } from '../../harness/vitest/case-recorder.ts';
import type { BalloonControl, BalloonLimits } from '../../harness/contract/balloon.ts';
import type { Accelerator } from '../../harness/contract/run-target.ts';
import type { Sandbox } from '../../harness/contract/sandbox.ts';
import { memAvailableMiB } from '../../harness/workloads/memory.ts';

export interface BalloonSubject {
  sandbox: Sandbox;
  /** A fresh control client that has not connected yet. */
  balloon: BalloonControl;
  accel: Accelerator;
  record: CaseRecorder;
  /** The run's seed, for the case's random draws (runRandom). */
  seed: number;
}

const MIB = 1024 * 1024;

export class BalloonMeter {
  private readonly series = new Map<string, SamplePoint[]>();
  private reported: BalloonLimits | undefined;

  constructor(private readonly subject: BalloonSubject) {}

  /** The control's floor and tolerance, read at connect and within the catalogue's bounds: what the case judges by. */
  get limits(): BalloonLimits {
    if (!this.reported) throw new Error('the balloon meter reads the limits when it connects');
    return this.reported;
  }

  async connect(): Promise<void> {
    this.reported = await catalogueBalloonLimits(this.subject.balloon);
    await this.subject.balloon.connect();
  }

  /**
   * Records the latency per MiB of every move (timed by the runtime) of at least the tolerance: a
   * smaller one counts as reached before it moves, and its fixed cost would swamp the per-MiB figure.
   */
  async close(): Promise<void> {
    for (const move of (await this.subject.balloon.moves?.()) ?? []) {
      if (move.movedMiB >= this.limits.toleranceMiB) this.subject.record.metric(`balloon ${move.direction} latency per MiB`, round3(move.durationMs / move.movedMiB), 'ms/MiB');
    }
    return this.subject.balloon.close();
  }

  async query(): Promise<number> {
    return this.seen('balloon actual', await this.subject.balloon.query());
  }

  inflate(targetMiB: number): Promise<number> {
    return this.move('inflate', targetMiB);
  }

  deflate(targetMiB: number): Promise<number> {
    return this.move('deflate', targetMiB);
  }

  async memAvailable(when: string): Promise<number> {
    const available = this.seen('guest MemAvailable', await memAvailableMiB(this.subject.sandbox));
    this.subject.record.metric(`MemAvailable ${when}`, available, 'MiB');
    return available;
  }

  async hostMemory(): Promise<number> {
    return this.seen('host VMM memory', (await this.subject.sandbox.vmmMemoryBytes()) / MIB);
  }

  /** Host memory of the VMM once it has stopped moving. */
  async settledHostMemory(when: string): Promise<number> {
    const value = await this.settled(() => this.hostMemory(), {
      intervalMs: BALLOON.hostMemorySampleMs,
      deadlineMs: BALLOON.hostMemoryStableDeadlineMs,
      what: `VMM host memory ${when}`,
    });
    this.subject.record.metric(`host memory ${when}`, value, 'MiB');
    return value;
  }

  /** The balloon's actual size once the guest has stopped moving it (to the page: any step is movement). */
  async settledActual(when: string): Promise<number> {
    return this.actualAtRest(() => this.query(), BALLOON.actualSampleMs, when);
  }

  /**
   * Asks for `targetMiB` and reads the balloon's actual size as often as a control follows a move,
   * until it holds still (to the page), passing every reading to `judge`. Unlike inflate, which waits
   * for where the runtime means the balloon to go, this sees where it goes: a target passed on below
   * the runtime's floor is caught as the balloon crosses the floor, before the squeezed guest gives
   * out. Only readings that moved join the series.
   */
  async followToRest(targetMiB: number, when: string, judge: (actualMiB: number) => void): Promise<number> {
    this.seen('balloon target', targetMiB);
    await this.subject.balloon.setTarget(targetMiB);
    let previous: number | undefined;
    const reading = async () => {
      const actual = await this.subject.balloon.query();
      if (actual !== previous) this.seen('balloon actual', actual);
      previous = actual;
      judge(actual);
      return actual;
    };
    return this.actualAtRest(reading, BALLOON.queryIntervalMs, when);
  }

  /** The balloon's actual size once `read` has seen it hold still (to the page), recorded under `when`. */
  private async actualAtRest(read: () => Promise<number>, intervalMs: number, when: string): Promise<number> {
    const value = await this.settled(read, {
      intervalMs,
      deadlineMs: BALLOON.reachTargetDeadlineMs + BALLOON.settledWindowMs,
      maxRelativeChange: 0,
      what: `balloon actual ${when}`,
    });
    this.subject.record.metric(`balloon actual ${when}`, value, 'MiB');
    return value;
  }

  private async settled(
    sample: () => Promise<number>,
    opts: { intervalMs: number; deadlineMs: number; maxRelativeChange?: number; what: string },
  ): Promise<number> {
    const { accel } = this.subject;
    const { value } = await sampleUntilStable(sample, {
      timeoutMs: deadlineMs(opts.deadlineMs, accel),
      intervalMs: opts.intervalMs,
      settledSamples: Math.ceil(deadlineMs(BALLOON.settledWindowMs, accel) / opts.intervalMs) + 1,
      maxRelativeChange: opts.maxRelativeChange,
      what: opts.what,
    });
    return value;
  }

  private async move(operation: 'inflate' | 'deflate', targetMiB: number): Promise<number> {
    this.seen('balloon target', targetMiB);
    const previous = await this.subject.balloon[operation](targetMiB);
    await this.query();
    return previous;
  }

  private seen(name: string, valueMiB: number): number {
    const points = this.series.get(name) ?? [];
    points.push({ atMs: this.subject.record.elapsedMs(), value: valueMiB });
    this.series.set(name, points);
    this.subject.record.series(name, 'MiB', points);
    return valueMiB;
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
