/**
 * Every number a case or the harness relies on, in one place (the catalogue asks for this).
 * Thresholds never scale; deadlines scale with the accelerator through `deadlineMs`.
 */
import type { Accelerator } from '../runtime/types.ts';

/** TCG emulates every instruction; hardware accelerators run the guest natively. */
export const ACCELERATOR_SLOWDOWN: Record<Accelerator, number> = { kvm: 1, hvf: 1, tcg: 4 };

/** A deadline written for KVM, stretched for the accelerator in use. */
export function deadlineMs(baseMs: number, accel: Accelerator): number {
  return Math.round(baseMs * ACCELERATOR_SLOWDOWN[accel]);
}

export const VM_DEFAULTS = {
  memoryMiB: 256,
  vcpus: 1,
  rootfsMiB: 256,
} as const;

export const BOOT = {
  /** First exec must answer within this (KVM base, scaled). */
  readyDeadlineMs: 15_000,
  /** An accelerator probe that has not booted a trivial guest by then is unusable. */
  probeDeadlineMs: 8_000,
  /** After asking the guest to power off, how long before the VMM is killed. */
  shutdownGraceMs: 5_000,
  killGraceMs: 3_000,
} as const;

export const AGENT = {
  /** Guest read timeout used by the cases to stay fast (production agents use 12–18 s). */
  readTimeoutSeconds: 3,
  productionReadTimeoutSeconds: 15,
  /** Per-stream output kept by default. */
  outputLimitBytes: 16 * 1024 * 1024,
  /** Default command timeout in the guest. */
  execTimeoutSeconds: 60,
  /** Extra host-side wait beyond the guest timeout before the host gives up on a reply. */
  replyGraceMs: 15_000,
  /** How long an unacknowledged request may wait before it is sent again. */
  resendAfterMs: 1_000,
} as const;

export const ALIVE = {
  /** expect-alive polls exec for up to this long (not scaled: it is the assertion). */
  windowMs: 10_000,
  pollIntervalMs: 250,
} as const;

// ─── Host facts and run budget (harness/host/facts.ts, harness/host/budget.ts) ───────────────────────

export const HOST_FACTS = {
  /** `qemu --version` answers in milliseconds; a binary that hangs must not stall the host report. */
  qemuVersionTimeoutMs: 1_500,
} as const;

export const HOST_BUDGET = {
  /** What a QEMU process holds beyond guest RAM: device models, TCG translation cache, I/O buffers. */
  vmmOverheadMiB: 150,
  /** Share of available memory never planned for VMs, so page cache, node and vitest keep room. */
  hostReserveFraction: 0.2,
} as const;

// ─── Assertion helpers (harness/assert/) ───────────────────────────────────────────────────────────

export const POLL = {
  intervalMs: 250,
} as const;

export const ALIVE_PROBE = {
  /** Guest-side kill timeout of each `echo alive`; an answer takes milliseconds when the guest is fine. */
  execTimeoutSeconds: 2,
  /**
   * Host-side limit per attempt. The agent client itself waits the guest timeout plus a long reply
   * grace, which would let one stuck attempt eat the whole liveness window.
   */
  attemptTimeoutMs: 3_000,
} as const;

export const FOOTPRINT = {
  /** Share of a VM's host footprint growth that must be gone after it is destroyed. */
  minReleasedFraction: 0.9,
} as const;

export const FAILURE_MESSAGE = {
  /** Characters of a value or of command output quoted in an assertion message. */
  previewChars: 400,
} as const;
