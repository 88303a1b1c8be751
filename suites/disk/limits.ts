/** The disk cases' numbers. */
import { FOOTPRINT } from '../../harness/assert/limits.ts';
import { CASE_ROOTFS, VM_DEFAULTS } from '../../harness/config/constants.ts';

export const DISK = {
  /** Root filesystem of the disk cases: the default, so their VMs share every other case's saved state. */
  rootfsMiB: VM_DEFAULTS.rootfsMiB,
  /** `/` must be the VM's own bounded disk: larger than this and smaller than the maximum, never the host's. */
  rootfsMinMiB: 50,
  rootfsMaxMiB: 2048,
  /** Inode table of the inode cases: small, so a shell loop creates files until it is exhausted in seconds. */
  rootfsInodes: CASE_ROOTFS.inodes,
  /**
   * Guest-side kill timeout of one fill or writer (KVM base, scaled): a writer still running then hangs.
   * A full fill, or 4096 files to inode exhaustion, takes a few seconds under TCG (scaled: 60 s).
   */
  fillTimeoutMs: 15_000,
  concurrentWriters: 6,
  /** What each "writes work" probe writes, in MiB: more than a block group, so it needs real allocation. */
  probeWriteMiB: 8,
  /** In-guest Available after rm may differ from before the fill by at most this (ext4 metadata churn). */
  availableRecoveryToleranceMiB: 1,
  fillDeleteCycles: 3,
  /** Share of a fill's host footprint growth that must be gone after the VM is destroyed... */
  destroyReleasedFraction: FOOTPRINT.minReleasedFraction,
  /** ...polled for this long (not scaled: it is the assertion, and removal does not run in the guest). */
  destroyReleaseWindowMs: 30_000,
  /** Share of a fill's host footprint growth that must come back after the guest deletes it... */
  deleteReclaimedFraction: 0.9,
  /** ...within this window (not scaled: it is the assertion; ext4 commits, and so discards, every 5 s). */
  deleteReclaimWindowMs: 15_000,
  /**
   * fill-delete-fill writes this much each time: under half the rootfs, so a second fill that lands on
   * fresh blocks could double the overlay. Two full fills never could: the virtual disk size caps it.
   */
  refillMiB: 48,
  /** The overlay after the second fill must stay below this multiple of its size after the first. */
  maxRefillGrowth: 1.5,
  /** The bystander's appender logs its guest clock this often (seconds, the guest's sleep between appends)... */
  appenderPeriodSeconds: 0.1,
  /**
   * ...and while the peer fills, no two appends (nor an edge of the fill) may be further apart than
   * this, in the bystander's own clock: ten periods. A healthy appender on TCG appends every ~120 ms;
   * a starved one (its writes throttled or queued behind the peer's) stalls for seconds.
   */
  maxAppendGapMs: 1_000,
  /** The appender must have logged once before the peer starts (KVM base, scaled): the gap is judged from there. */
  appenderStartDeadlineMs: 5_000,
  /** host-upload-enospc leaves this much free on `/`, then uploads this much more than is free. */
  uploadFreeMiB: 4,
  uploadExcessMiB: 4,
  /** discard-zeroes: the scratch disk, and the ranges discarded (the rest must keep its data). */
  scratchMiB: 64,
  discardRanges: [
    { offsetMiB: 8, lengthMiB: 16 },
    { offsetMiB: 40, lengthMiB: 8 },
  ],
  /** Share of the discarded bytes the scratch disk's host allocation must shrink by. */
  discardReclaimedFraction: 0.9,
  /**
   * host-enospc on a host that can mount: the small host filesystem under the overlay, and what the
   * ballast leaves free of it once the kept files are written (less than the overflow needs).
   */
  hostFilesystemMiB: 128,
  hostHeadroomMiB: 8,
  /** Files written (random, checksummed) before the host runs out of space. */
  keptFiles: 4,
  keptFileMiB: 4,
  /** The guest write that outgrows the host: more than is free with the ballast, less than without. */
  hostOverflowMiB: 80,
  /** The VMM must pause within this after the host write fails (KVM base, scaled). */
  ioErrorPauseDeadlineMs: 30_000,
} as const;
