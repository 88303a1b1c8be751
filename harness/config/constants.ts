/**
 * The numbers every layer shares: the accelerator's deadline scale, a VM's default shape, the boot
 * deadline, the agent's defaults, the poll step. A number with one owner lives beside it: each suite's
 * limits in `suites/<group>/limits.ts`, each runtime kind's tuning in its folder, the reports', the
 * bench's and the assertion helpers' in theirs.
 * Thresholds never scale; deadlines scale with the accelerator through `deadlineMs`.
 */
import type { Accelerator } from '../contract/run-target.ts';

/** TCG emulates every instruction; hardware accelerators run the guest natively. */
export const ACCELERATOR_SLOWDOWN: Record<Accelerator, number> = { kvm: 1, hvf: 1, tcg: 4 };

/** A deadline written for KVM, stretched for the accelerator in use. */
export function deadlineMs(baseMs: number, accel: Accelerator): number {
  return Math.round(baseMs * ACCELERATOR_SLOWDOWN[accel]);
}

/**
 * The most a microVM's VMM may hold resident for itself (its code and libraries, heap, device state),
 * apart from the guest RAM it holds: 64 MiB with hardware virtualisation, for a VMM with a handful of
 * virtio devices (a VMM built for microVMs holds a few MiB). Under TCG the translation cache of the
 * guest's code comes on top, up to the 128 MiB the reference runtime gives it (tb-size=128): a bound
 * without it would fail every TCG run for a cache it asked for. Every case's VMs are held to it
 * (the vm fixture) and vmm-overhead-bounded drives one VM through what makes a VMM grow.
 */
export const VMM_OVERHEAD_BOUND = {
  ownMiB: 64,
  translationCacheMiB: { kvm: 0, hvf: 0, tcg: 128 } satisfies Record<Accelerator, number>,
} as const;

/**
 * A restore replaces the guest's own boot (kernel and init: the cold VM's first console output to its
 * first exec) with loading saved memory, which is the host copying pages, not the guest running: on
 * every accelerator a small part of the boot it replaces. So three quarters of that boot must be gone
 * from a restore; one that boots behind the scenes skips none. restore-then-exec and `runtime check`
 * judge by it. Without the first console output the whole cold boot counts as the guest's.
 */
export function maxRestoreMs(coldMs: number, coldFirstConsoleOutputMs: number | undefined): number {
  const guestBootMs = coldFirstConsoleOutputMs === undefined ? coldMs : coldMs - coldFirstConsoleOutputMs;
  return coldMs - guestBootMs * RESTORE_SKIPS_GUEST_BOOT;
}

/** The share of the guest's own boot a restore must skip (maxRestoreMs). */
export const RESTORE_SKIPS_GUEST_BOOT = 0.75;

export const VM_DEFAULTS = {
  memoryMiB: 256,
  vcpus: 1,
  /**
   * Root filesystem: inside the disk cases' bounds with room for the host-enospc overflow, and small
   * enough to fill in about a second under TCG, since every disk fill writes all of it.
   */
  rootfsMiB: 128,
} as const;

/** The root disks the cases ask for beyond the default; an exported image carries a base for each. */
export const CASE_ROOTFS = {
  /** The inode cases' table: small, so a shell loop exhausts it in seconds. */
  inodes: 4096,
} as const;

export const BOOT = {
  /** First exec must answer within this (KVM base, scaled): a runtime's limit and the lifecycle case's bound. */
  readyDeadlineMs: 15_000,
} as const;

/** The guest agent as every runtime configures it and the cases judge it. */
export const AGENT = {
  /** Guest read timeout used by the cases to stay fast (production agents use 12–18 s). */
  readTimeoutSeconds: 3,
  productionReadTimeoutSeconds: 15,
  /** Per-stream output kept by default. */
  outputLimitBytes: 16 * 1024 * 1024,
  /** Default command timeout in the guest. */
  execTimeoutSeconds: 60,
  /**
   * After the guest opens its agent port, the HELLO that the agent writes next must come within this
   * (KVM base, scaled): it is one printf, so a longer silence is an agent that will never greet.
   */
  helloAfterPortOpenMs: 2_000,
} as const;

export const POLL = {
  intervalMs: 250,
} as const;

export const FAILURE_MESSAGE = {
  /** Characters of a value or of command output quoted in an assertion message. */
  previewChars: 400,
} as const;
