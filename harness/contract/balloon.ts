/** The balloon as a runtime offers it: what a spec asks for, and the host-side control a case drives. */

export interface BalloonOptions {
  freePageReporting?: boolean;
  deflateOnOom?: boolean;
  /** Guest stats polling interval in seconds; 0 or undefined leaves polling off. */
  statsIntervalSeconds?: number;
}

export interface BalloonStats {
  /** Guest-reported values in bytes; undefined where the guest has not reported (yet). */
  freeBytes?: number;
  totalBytes?: number;
  availableBytes?: number;
  lastUpdate?: number;
}

/**
 * The bounds a balloon control keeps, as the runtime reports them. A case checks them against the
 * catalogue's bounds (BALLOON_CATALOGUE in harness/assert/balloon-catalogue.ts), then judges the runtime by them.
 */
export interface BalloonLimits {
  /** The least the control lets the balloon squeeze the guest to: a lower target is raised to it. */
  minimumMiB: number;
  /** How far from its target (and from the VM's memory) the balloon's actual size may come to rest, either way. */
  toleranceMiB: number;
}

/** Host-side balloon control of one sandbox (absent when the runtime has no balloon). */
export interface BalloonControl {
  /** The control's floor and tolerance; answers before connect too. */
  limits(): Promise<BalloonLimits>;
  connect(): Promise<void>;
  close(): Promise<void>;
  /** Current balloon size as the guest sees its memory: `actual` in MiB. */
  query(): Promise<number>;
  setTarget(targetMiB: number): Promise<void>;
  /** Sets the target (at least the minimum) and waits until actual ≤ target + tolerance; returns the size before. */
  inflate(targetMiB: number): Promise<number>;
  /**
   * Sets the target and waits until actual ≥ target − tolerance; returns the size before. A target above
   * the VM's memory goes to the VMM as asked (keeping the guest within its memory is the VMM's part), and
   * the wait is for the whole memory.
   */
  deflate(targetMiB: number): Promise<number>;
  stats(): Promise<BalloonStats>;
  /**
   * Every inflate and deflate since connect, timed from the request to the size reached — by the
   * VMM's own balloon-change events where it sends them, else by polling. Waits briefly for events
   * a VMM delivers late (the reference VMM passes on one a second). A runtime that times nothing leaves it out.
   */
  moves?(): Promise<BalloonMove[]>;
}

export interface BalloonMove {
  direction: 'inflate' | 'deflate';
  /** How far the balloon's actual size moved, in MiB. */
  movedMiB: number;
  durationMs: number;
  timedBy: 'vmm-event' | 'polling';
}
