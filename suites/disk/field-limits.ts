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
