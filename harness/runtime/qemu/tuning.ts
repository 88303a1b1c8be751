/** The QEMU runtime's own numbers: its boot probe, shutdown, guest kernel, saved states, console, balloon and faults. */

export const PROBE = {
  /** An accelerator probe that has not booted a trivial guest by then is unusable (KVM base). */
  deadlineMs: 8_000,
  /** The probe guest only has to reach its initramfs and print one line; the kernel and initramfs fit well within this. */
  memoryMiB: 128,
} as const;

export const SHUTDOWN = {
  /** After asking the guest to power off, how long before the VMM is killed. */
  graceMs: 5_000,
  killGraceMs: 3_000,
} as const;

export const GUEST = {
  /**
   * The guest kernel reports a task stuck in uninterruptible sleep this long (KVM base, scaled): shorter
   * than the guest-side kill of the longest command (a disk fill), so a guest that stops answering
   * because its I/O hangs says where on its console instead of only timing out on the host.
   */
  hungTaskReportMs: 10_000,
  /** The clock set after a restore: one `date -s`, given as long as a loaded TCG guest could want. */
  clockExecTimeoutSeconds: 10,
} as const;

/** `qemu --version` answers in milliseconds; a binary that hangs must not stall the host report. */
export const VERSION_QUERY_TIMEOUT_MS = 1_500;

/** Saving and restoring VMs (snapshot.ts, snapshot-cache.ts). */
export const SNAPSHOT = {
  /** query-migrate polling step: a 256 MiB state loads in ~0.1 s, so 10 ms costs little of it. */
  migrationPollMs: 10,
  /** A save of a 256 MiB guest takes well under a second even under TCG; far beyond that it is stuck. */
  saveDeadlineMs: 60_000,
  /** A VM waiting for another worker's save of its profile looks this often: a save takes ~3 s (boot and all). */
  claimPollMs: 50,
  /**
   * The layout of the saved-state cache: raised whenever what a save leaves, or how a restore reads
   * it, changes, so no run restores a state an older harness saved.
   */
  storeFormat: 3,
  /**
   * How many builds (QEMU binary, kernel, initramfs) keep their saved states, the last used first: two
   * for a regression hunt's A and B, and room for a third. A build's states take ~60 MB per profile.
   */
  keptBuilds: 3,
} as const;

/** The serial console as the runtime keeps it: a guest may write to it without end. */
export const CONSOLE = {
  /**
   * The kept log is two files of at most this size, the current and the one before: a boot log is
   * ~30 KiB, so the latest output is always there while the disk used stays fixed. Small enough that
   * a flood far exceeds it even under TCG, whose emulated UART passes ~170 KB/s.
   */
  segmentBytes: 128 * 1024,
  /**
   * How often the console FIFO is read. At the UART's ~170 KB/s that is ~3 KiB a read, well inside the
   * 64 KiB a FIFO holds, so the guest never waits for it; a boot's lines reach the log at most this much later.
   */
  readPauseMs: 20,
} as const;

/** The balloon control (balloon-control.ts) and the guest kernel's memory settings behind it. */
export const BALLOON_CONTROL = {
  /**
   * The balloon's actual size is polled this often while it moves. A move is timed by QEMU's
   * BALLOON_CHANGE stamp where one arrives, but QEMU passes on one event a second and drops those
   * a next move overwrites, so the polled time must be fine too; a query costs ~1 ms.
   */
  queryIntervalMs: 10,
  /**
   * How long after a move is seen done the balloon-change event that times it may still come: QEMU
   * delivers at most one BALLOON_CHANGE per second per monitor and holds back the rest (stamped with
   * when they happened), so the last one of a move can arrive up to a second late.
   */
  changeEventLateMs: 1_500,
  /** Deadlines (KVM base, scaled with the accelerator). */
  connectDeadlineMs: 5_000,
  reachTargetDeadlineMs: 5_000,
  /**
   * The smallest free block (as a page order: 5 is 128 KiB of 4 KiB pages) a guest with free page
   * reporting on reports to the VMM. Linux reports only whole 2 MiB pageblocks (order 9) unless told
   * otherwise, and a guest that touched and freed most of its memory leaves free pages scattered
   * among a few it allocated meanwhile, which at order 9 keeps tens of MiB resident on the host. What
   * the case judges is whether the VMM gives back what the guest reports, not how fragmented the guest is.
   */
  guestPageReportingOrder: 5,
  /**
   * A guest whose balloon deflates on OOM protects the pages it used in this window (the kernel's
   * multi-gen LRU `min_ttl_ms`) and goes to the OOM path, where the balloon gives memory back, rather
   * than thrash re-reading its own binaries first. What the case judges, that the runtime's balloon
   * deflates on OOM, is the same either way; this makes it take a second rather than ten.
   */
  guestOomWorkingSetMs: 1_000,
} as const;

/** What the faults change (faults.ts lists them; the fault tests prove each turns its case red). */
/** The VMM overhead watch every VM gets (vmm-overhead.ts). */
export const VMM_OVERHEAD = {
  /**
   * The thread's tick: a VMM asked to be looked at closely is looked at on every one. The catalogue asks
   * vmm-overhead-bounded for a look at least every 250 ms, and a look (the kernel walking the map, the
   * thread parsing ~300 KiB: 8 ms of CPU here) plus a timer that fires late on a loaded host take up
   * to tens of milliseconds each.
   */
  tickMs: 100,
  /**
   * Every other VM's VMM is looked at once a second: 8 ms a look, every 100 ms, on every VM of a run
   * would take a tenth of a core per VM; the peak a second apart still catches a VMM that grows and stays.
   */
  defaultLookEveryMs: 1_000,
} as const;

export const FAULT_SHAPES = {
  /** vmm-overhead-looks-seldom: the watch looks at a VMM only every 10th tick of its thread, a second apart. */
  seldomOverheadLookTicks: 10,
  /** oversized-rootfs: far past the disk cases' 2 GiB bound, so the bound check catches it. */
  oversizedRootfsMiB: 3072,
  /**
   * io-throttle-starves: the write limit of a runtime that meant MiB and wrote KiB. An append and its
   * sync (a journal commit and a flush) take seconds; an 8 MiB write takes minutes.
   */
  starvingWriteLimit: { iops: 1, bytesPerSecond: 32 * 1024 },
  /**
   * agent-unguarded-reopen: how long the agent waits, its read timed out, before it closes and reopens
   * its port. A request that reaches the open port in that time is unread at the close, which discards
   * it; one sent while the port is closed waits in the VMM and is answered after the reopen. So the
   * pause comes before the close. Wider than the sweep's dense steps (so several land in it) and than
   * the time the reopen moves with load, so the sweep loses a request to it on every run.
   */
  unguardedReopenPauseSeconds: 0.5,
} as const;
