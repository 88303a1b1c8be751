/** The balloon cases' numbers, sized from what the catalogue lets any runtime's balloon control claim. */
import { BALLOON_CATALOGUE } from '../../harness/assert/balloon-catalogue.ts';

export const BALLOON = {
  /** Guest memory of every balloon VM; the MiB figures below are sized for it. */
  memoryMiB: 256,
  /**
   * Swap on zram inside the balloon VMs (0: none). The suite must pass both ways; the workloads write
   * random bytes, which zram cannot compress, so swap never makes an allocation look cheaper than it is.
   */
  zramMiB: 0,
  /** Where an idle (warm-pool) VM is parked: the highest floor a runtime may keep, so every runtime can park it there. */
  inflateTargetMiB: BALLOON_CATALOGUE.maxMinimumMiB,
  /** inflate-below-minimum-clamps asks for this: below every floor a runtime may claim, less its tolerance. */
  belowMinimumTargetMiB: BALLOON_CATALOGUE.floorAboveMiB,
  /** deflate-above-max-clamps asks for this multiple of the VM's memory. */
  aboveMaxFactor: 2,
  /** alloc-at-full-size. */
  fullSizeAllocMiB: 50,
  /** deflate-restores-allocation: what must fit while inflated. */
  inflatedAllocMiB: 40,
  /** What only fits with the balloon deflated; also "most of its memory" for the host memory cases. */
  largeAllocMiB: 150,
  /** inflate-under-pressure: the live holder, and a target that leaves it ~16 MiB of headroom. */
  pressureHoldMiB: 100,
  pressureTargetMiB: 192,
  /**
   * inflate-reduces-available: MemAvailable must drop by this share of (memory − target). Each page the
   * balloon takes leaves the guest's managed memory (Linux's driver without deflate-on-oom), so a balloon
   * that reached its target takes all of it from MemAvailable, and one resting at the tolerance's edge
   * still 7/8 of it; one that took nothing leaves only the guest's own few-MiB churn between the reads.
   * Half is between the two with room on both sides.
   */
  minAvailableDropFraction: 0.5,
  /**
   * host-rss-reclaim: the VMM's host memory must drop by this share of (memory − target). The VMM discards
   * every page the balloon takes (4 KiB each); the case first touches and frees 150 MiB, so the free
   * pages the guest hands the balloon are resident on the host, the most recently freed first. The rest
   * is for ballooned pages that never were resident and for the VMM's own allocations meanwhile.
   */
  minHostReclaimFraction: 0.6,
  /**
   * free-page-reporting: host memory must come back to within this share above its pre-touch level. What
   * it allows the guest to keep: pages it allocated meanwhile (the agent, the workload's binaries) and
   * free blocks below the reporting order (128 KiB); a VMM that discards nothing stays 150 MiB above.
   */
  freePageReportingSlackFraction: 0.2,
  /**
   * deflate-on-oom allocates this much more than the ballooned guest has available. The guest gives
   * back 1 MiB per OOM event, so more only costs time.
   */
  beyondAvailableMiB: 24,
  rapidCycles: 5,
  idempotentRepeats: 3,
  soakTargets: 50,
  /** random-target-soak: the guest workload allocates and frees this much over and over. */
  soakChurnMiB: 16,
  /** guest-stats: how often the guest is asked for its stats. */
  statsIntervalSeconds: 1,
  /** The balloon's actual size is read this often while the meter waits for it to rest: fine enough to time a move. */
  queryIntervalMs: 10,
  /** Host memory is sampled this often while waiting for it to settle or return. */
  hostMemorySampleMs: 500,
  /**
   * How long a reading (host memory, the balloon's actual size) must hold still to count as settled
   * (KVM base, scaled: under TCG the guest moves it that much more slowly).
   */
  settledWindowMs: 1_500,
  /** The balloon's actual size is sampled this often while waiting for it to settle. */
  actualSampleMs: 250,
  /** Deadlines (KVM base, scaled with the accelerator). */
  reachTargetDeadlineMs: 5_000,
  hostMemoryStableDeadlineMs: 10_000,
  freePageReportingDeadlineMs: 8_000,
  statsDeadlineMs: 5_000,
  /** Guest-side timeouts of the workloads: touching memory, filling a holder, allocating through OOM. */
  touchDeadlineMs: 15_000,
  oomAllocationDeadlineMs: 45_000,
} as const;
