/**
 * The numbers of the lifecycle cases from the field (issue: cases microVM runtimes shipped bugs for),
 * each with where it comes from. None is a measurement of this host.
 */
import type { Accelerator } from '../../harness/contract/run-target.ts';

export const FIELD_LIFECYCLE = {
  /** frozen-guest-detected: the guest-side timeout of the exec sent to the frozen guest. */
  frozenExecTimeoutSeconds: 1,
  /**
   * frozen-guest-detected: the longest an exec with a 1 s timeout may wait on a frozen guest before it
   * fails. A host may allow the reply a grace for its transit (the reference runtime 15 s, the agent
   * client's AGENT.replyGraceMs), but a caller who asked for 1 s and waits half a minute has met a hang.
   */
  frozenExecMaxWaitMs: 30_000,
  /**
   * frozen-guest-detected: how far past its own window the liveness poll may report a frozen guest:
   * its timers firing late on a busy host, not another probe.
   */
  livenessSlackMs: 2_000,
  /** vmm-overhead-bounded: the row's "sampled at least every 250 ms": no two looks at the VMM further apart. */
  overheadSampleEveryMs: 250,
  /**
   * vmm-overhead-bounded: how often the sampler looks, 100 ms inside the bound: on a busy host a look
   * (reading the VMM's memory map) and the timer after it each come late by tens of milliseconds.
   */
  overheadSampleAimMs: 150,
  /**
   * vmm-overhead-bounded: the most a microVM's VMM may hold resident for itself (its code and libraries,
   * heap, device state), apart from the guest RAM it holds: 64 MiB with hardware virtualisation, for a
   * VMM with a handful of virtio devices (a VMM built for microVMs holds a few MiB). Under TCG the
   * translation cache of the guest's code comes on top, up to the 128 MiB the reference runtime gives
   * it (tb-size=128): a bound without it would fail every TCG run for a cache it asked for.
   */
  vmmOverheadMiB: { kvm: 64, hvf: 64, tcg: 64 + 128 } satisfies Record<Accelerator, number>,
  /** vmm-overhead-bounded: execs sent at once in its burst. */
  overheadExecBurst: 16,
} as const;
