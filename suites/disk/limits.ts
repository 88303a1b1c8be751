/** The disk cases' numbers. */
import { FOOTPRINT } from '../../harness/assert/limits.ts';
import { CASE_ROOTFS, VM_DEFAULTS } from '../../harness/config/constants.ts';

export const DISK = {
  /** Root filesystem of the disk cases: the default, so their VMs share every other case's saved state. */
  rootfsMiB: VM_DEFAULTS.rootfsMiB,
  /**
   * `/` must be the VM's own bounded disk. At least 50 MiB: the image's files and the largest single
   * write of these cases (fill-delete-fill's 48 MiB) must fit on it. At most 2 GiB: sixteen times the
   * 128 MiB the spec asks for, far below any host filesystem a shared `/` would report, and the
   * largest root disk the catalogue gives a VM (oversized-rootfs's 3 GiB is past it).
   */
  rootfsMinMiB: 50,
  rootfsMaxMiB: 2048,
  /** Inode table of the inode cases: small, so a shell loop creates files until it is exhausted in seconds. */
  rootfsInodes: CASE_ROOTFS.inodes,
  /**
   * Guest-side kill timeout of one fill or writer (KVM base, scaled): a writer still running then hangs.
   * The whole 128 MiB root disk written at 10 MiB/s (a tenth of a plain SATA disk) takes 13 s; 4096
   * empty files are 4096 shell builtins and as many inodes, far less.
   */
  fillTimeoutMs: 15_000,
  concurrentWriters: 6,
  /** What each "writes work" probe writes, in MiB: more than a block group, so it needs real allocation. */
  probeWriteMiB: 8,
  /**
   * In-guest Available after rm may differ from before the fill by at most this: the fill's metadata
   * that outlives it (its extent tree blocks are freed with it; a journal commit may hold a handful of
   * 4 KiB blocks until it ends) is kilobytes, and a leak of the fill's data would be the whole fill.
   */
  availableRecoveryToleranceMiB: 1,
  fillDeleteCycles: 3,
  /** Share of a fill's host footprint growth that must be gone after the VM is destroyed... */
  destroyReleasedFraction: FOOTPRINT.minReleasedFraction,
  /** ...polled for this long (not scaled: it is the assertion, and removal does not run in the guest). */
  destroyReleaseWindowMs: 30_000,
  /**
   * Share of a fill's host footprint growth that must come back after the guest deletes it: all of its
   * data, less what stays allocated without being the fill's (the image's tables for the clusters it
   * touched, ext4's journal and the block groups' metadata the fill dirtied), a tenth at most of a
   * 128 MiB fill. A runtime that drops discards gives back none of it...
   */
  deleteReclaimedFraction: 0.9,
  /**
   * ...within this window (not scaled: it is the assertion). ext4 commits, and so discards, every 5 s
   * (its default commit interval): three commits, so one that falls just after the delete and one
   * slowed by the host still count.
   */
  deleteReclaimWindowMs: 15_000,
  /**
   * fill-delete-fill writes this much each time: under half the rootfs, so a second fill that lands on
   * fresh blocks could double the overlay. Two full fills never could: the virtual disk size caps it.
   */
  refillMiB: 48,
  /**
   * The overlay after the second fill must stay below this multiple of its size after the first:
   * halfway between reuse (1×: the deleted blocks were discarded and the second fill takes them back)
   * and no reuse (about 2×: the second fill lands beside the first's blocks, still allocated on the
   * host), so either outcome is told apart with half the difference to spare.
   */
  maxRefillGrowth: 1.5,
  /** The bystander's appender logs its guest clock this often (seconds, the guest's sleep between appends)... */
  appenderPeriodSeconds: 0.1,
  /**
   * ...and while the peer fills, no two appends (nor an edge of the window) may be further apart than
   * this, in the bystander's own clock: ten periods, so nine appends in a row may be late (a sync
   * waits for one journal commit of the bystander's own, never for its peer's disk) before it counts,
   * yet a bystander whose writes queue behind its peer's stalls for a whole fill, seconds.
   */
  maxAppendGapMs: 1_000,
  /**
   * The peer stays busy (filling, and filling again after removing its fill) for at least this long in
   * the bystander's clock: five gap bounds. The gap is measured inside the window and cannot exceed
   * it, so a window shorter than the bound (one fill on a fast host) would pass a bystander frozen
   * throughout; at five bounds a frozen one fails on any host, as does one stalled for a fifth of it.
   */
  minPeerBusySeconds: 5,
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
  /**
   * Share of the discarded bytes the scratch disk's host allocation must shrink by: the ranges are
   * whole 64 KiB clusters of the image, so all of them could come back; a tenth is left for the image's
   * tables, which stay allocated.
   */
  discardReclaimedFraction: 0.9,
  /**
   * host-enospc on a host that can mount: the small host filesystem under the overlay, and what the
   * ballast leaves free of it once the kept files are written (less than the overflow needs).
   */
  hostFilesystemMiB: 128,
  hostHeadroomMiB: 8,
  /** Files written (random, checksummed) before the host runs out of space: several, each more than a cluster, so a lost or misplaced write shows in one of them. */
  keptFiles: 4,
  keptFileMiB: 4,
  /** The guest write that outgrows the host: more than is free with the ballast, less than without. */
  hostOverflowMiB: 80,
  /**
   * The VMM must pause within this after the host write fails (KVM base, scaled): the guest's overflow
   * write reaches the host within a writeback interval (5 s) and its commit (5 s more); the VMM pauses
   * on the failed request at once. Three times that, for a loaded host.
   */
  ioErrorPauseDeadlineMs: 30_000,
} as const;

/**
 * The numbers of the disk cases from the field (issue: cases microVM runtimes shipped bugs for), each
 * with where it comes from. None is a measurement of this host.
 */
export const FIELD_DISK = {
  /** write-bound-every-path: the guest's writable places, as the row names them; one absent from the guest is passed over, and said so. */
  places: ['/', '/tmp', '/var/tmp', '/dev/shm', '/run'],
  /** write-bound-every-path: the scratch disk written to its end, a place with the bound of its size. */
  scratchMiB: 32,
  /**
   * write-bound-every-path: all memory-backed places together may hold half the guest's RAM: a guest
   * that fills every one of them still has the other half for its processes (an uncapped tmpfs alone
   * may take half, which is how three of them took the whole guest).
   */
  memoryBackedShareOfRam: 0.5,
  /**
   * write-bound-every-path: a fill stops at its place's bound when what is left there is less than
   * one of dd's 1 MiB blocks, plus the share of the filesystem ext4 keeps for its own metadata, free to
   * statfs but never to data (s_resv_clusters: 2 %, at most 4096 clusters).
   */
  leftAtBoundBytes: 1024 * 1024,
  metadataReserveShare: 0.02,
  /**
   * write-bound-every-path: what a disk fill writes besides its data: ext4's journal (4 MiB on a small
   * filesystem) and the disk image format's tables, 4 MiB more.
   */
  footprintSlackBytes: 8 * 1024 * 1024,
  /** large-sparse-disk-bounded: the row's virtual size, far beyond what the case writes. */
  sparseScratchMiB: 4096,
  /** large-sparse-disk-bounded: the row's write, then discarded. */
  sparseWriteMiB: 64,
  /**
   * large-sparse-disk-bounded: "a few MiB" a disk may hold on the host without data of the case's:
   * the disk image format's header and tables, and the root disk's boot-time writes (8 MiB each).
   */
  sparseFewMiB: 16,
  /** large-sparse-disk-bounded: "about" the write: the data and its image tables, 8 MiB more at most. */
  sparseWriteSlackMiB: 8,
} as const;
