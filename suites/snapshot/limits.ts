/** The snapshot cases' numbers, each with where it comes from; none is a measurement of this host. */
import { AGENT, deadlineMs } from '../../harness/config/constants.ts';
import type { Accelerator } from '../../harness/contract/run-target.ts';

export const SNAPSHOT_CASES = {
  /**
   * agent-reconnects-after-restore: the restored agent is mid-read, so its first exec must answer inside
   * its read timeout; a host that waits for the agent's idle reopen answers only after it. The template's
   * agent starts that read just before the save, so the reopen comes the whole timeout after the resume
   * less the save's own moments: a quarter of the timeout is left to that margin, and three quarters to
   * the restore itself, which under emulation of another architecture is seconds.
   */
  maxFirstExecShareOfReadTimeout: 0.75,
  /**
   * agent-reconnects-after-restore: the agent's read timeout on KVM (stretched by deadlineMs): three
   * quarters of the HELLO window after a port opens (AGENT.helloAfterPortOpenMs), see
   * reconnectReadTimeoutSeconds. As long as the window allows, so a healthy restore has room inside
   * three quarters of it even where the guest is of another architecture (an aarch64 restore under
   * TCG took 2.1 to 3.6 s of a 4 s timeout's 3 s in CI at half the window).
   */
  reconnectReadTimeoutMs: (AGENT.helloAfterPortOpenMs * 3) / 4,
  /** Requests sent at once after the idle reopen: each must run exactly once. */
  requestsAfterReopen: 5,
  /**
   * ballooned-snapshot-keeps-size: how long the restored guest runs before its balloon is read; a
   * balloon set back to the whole memory deflates within a tenth of that, so this leaves it no doubt.
   */
  settleMs: 1_000,
} as const;

/**
 * agent-reconnects-after-restore: the read timeout of the case's agent on `accel`, in whole seconds (the
 * agent's setting). The restored agent greets only at its idle reopen, at most one read timeout after
 * the resume; a host that waits for that greeting (fault restore-awaits-hello) must then be late at the
 * first exec, not refused at create for a HELLO past its window. So the timeout stays inside the HELLO
 * window on every accelerator: both are deadlines of the same guest, stretched alike.
 */
export function reconnectReadTimeoutSeconds(accel: Accelerator): number {
  // Down to whole seconds (the agent's setting), so it stays inside the window.
  return Math.max(1, Math.floor(deadlineMs(SNAPSHOT_CASES.reconnectReadTimeoutMs, accel) / 1000));
}

/**
 * The numbers of the snapshot cases from the field (issue: cases microVM runtimes shipped bugs for),
 * each with where it comes from. None is a measurement of this host.
 */
export const FIELD_SNAPSHOT = {
  /**
   * clones-distinct-entropy: Linux 6.1 reseeds its generator every uptime/2 s until it has been up
   * 2 x 60 s (CRNG_RESEED_INTERVAL), then every 60 s. A guest saved younger than 120 s has clones that
   * drift apart by themselves within a second or two and hide a runtime that never reseeds them; 5 s
   * past it, so a guest clock a little slow still is.
   */
  entropySavedAtUptimeSeconds: 125,
  /** Bytes read from the guest's random source: as much as the kernel generator's key. */
  entropyBytes: 32,
  /** UUIDs each clone makes in a row: clones of one generator state a few draws apart still share some. */
  entropyUuids: 16,
  /** clock-after-restore: the row's "saved at least 30 s earlier": a clock left at the save is then 30 s off, far past the bound. */
  clockStateMinAgeMs: 30_000,
  /** clock-after-restore: the row's bound on the restored guest's wall clock against the host's. */
  clockMaxWallSkewMs: 1_000,
  /** clock-after-restore: how long the guest is frozen; a clock that went back by the freeze would show it. */
  clockFreezeMs: 2_000,
  /** exec-storm-after-restore: the row's burst of execs sent at once the moment the VM resumes. */
  stormExecs: 16,
  /**
   * exec-storm-after-restore: each exec of the burst waits this much longer than the one sent after it,
   * so replies come back in reverse order: one matched to its exec by order rather than id is caught.
   */
  stormStaggerMs: 20,
  /** exec-storm-after-restore: a whole exec round trip on KVM with the burst queued ahead of it (stretched by deadlineMs). */
  stormDeadlineMs: 10_000,
} as const;
