/**
 * Every number a case or the harness relies on, in one place (the catalogue asks for this).
 * Thresholds never scale; deadlines scale with the accelerator through `deadlineMs`.
 */
import type { Accelerator } from '../runtime/contract/run-target.ts';

/** TCG emulates every instruction; hardware accelerators run the guest natively. */
export const ACCELERATOR_SLOWDOWN: Record<Accelerator, number> = { kvm: 1, hvf: 1, tcg: 4 };

/** A deadline written for KVM, stretched for the accelerator in use. */
export function deadlineMs(baseMs: number, accel: Accelerator): number {
  return Math.round(baseMs * ACCELERATOR_SLOWDOWN[accel]);
}

export const VM_DEFAULTS = {
  memoryMiB: 256,
  vcpus: 1,
  /**
   * Root filesystem: inside the disk cases' bounds (DISK.rootfsMinMiB..rootfsMaxMiB) with room for the
   * host-enospc overflow, and small enough to fill in about a second under TCG: every disk fill writes
   * all of it, and a 256 MiB one cost ~2.5 s of QEMU's CPU here.
   */
  rootfsMiB: 128,
  /**
   * The guest kernel reports a task stuck in uninterruptible sleep this long (KVM base, scaled): shorter
   * than the guest-side kill of the longest command (a disk fill), so a guest that stops answering
   * because its I/O hangs says where on its console instead of only timing out on the host.
   */
  hungTaskReportMs: 10_000,
} as const;

export const BOOT = {
  /** First exec must answer within this (KVM base, scaled). */
  readyDeadlineMs: 15_000,
  /** An accelerator probe that has not booted a trivial guest by then is unusable. */
  probeDeadlineMs: 8_000,
  /** The probe guest only has to reach its initramfs and print one line; the kernel and initramfs fit well within this. */
  probeMemoryMiB: 128,
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
  /**
   * After the guest opens its agent port, the HELLO that the agent writes next must come within this
   * (KVM base, scaled): it is one printf, so a longer silence is an agent that will never greet.
   */
  helloAfterPortOpenMs: 2_000,
  /** Longest frame header the host keeps while waiting for its end; real ones are under 100 characters. */
  maxHeaderChars: 256,
} as const;

/** Saving and restoring VMs (harness/runtime/qemu/snapshot.ts). */
export const SNAPSHOT = {
  /** query-migrate polling step: a 256 MiB state loads in ~0.1 s here, so 10 ms costs little of it. */
  migrationPollMs: 10,
  /** A save of a 256 MiB guest took 0.62 s here under TCG; far beyond that it is stuck. */
  saveDeadlineMs: 60_000,
  /** A VM waiting for another worker's save of its profile looks this often: a save takes ~3 s (boot and all). */
  claimPollMs: 50,
  /**
   * The layout of the saved-state cache (runtime/qemu/snapshot-cache.ts): raised whenever what a save
   * leaves, or how a restore reads it, changes, so no run restores a state an older harness saved.
   */
  storeFormat: 2,
  /**
   * How many builds (QEMU binary, kernel, initramfs) keep their saved states, the last used first: two
   * for a regression hunt's A and B, and room for a third. A build's states take ~60 MB per profile,
   * ~0.5 GB for a catalogue run.
   */
  keptBuilds: 3,
} as const;

/** The snapshot cases (suites/snapshot/). */
export const SNAPSHOT_CASES = {
  /**
   * restore-then-exec: a restore must cost at most this share of a cold boot of the same profile, in the
   * same case. Measured here (TCG): 0.14-0.21; a restore at half a boot has lost its point.
   */
  maxRestoreOverCold: 0.5,
  /**
   * agent-reconnects-after-restore: the restored agent is mid-read, so its first exec must answer well
   * inside its read timeout; a host that hangs until the agent's idle reopen answers after all of it.
   */
  maxFirstExecShareOfReadTimeout: 0.5,
  /** Requests sent at once after the idle reopen: each must run exactly once. */
  requestsAfterReopen: 5,
  /**
   * ballooned-snapshot-keeps-size: how long the restored guest runs before its balloon is read; a
   * balloon set back to the whole memory deflates within 0.06 s here, so this leaves it no doubt.
   */
  settleMs: 1_000,
} as const;

/** The serial console as the harness keeps it: a guest may write to it without end. */
export const CONSOLE = {
  /**
   * The kept log is two files of at most this size, the current and the one before: a boot log is
   * ~30 KiB, so the latest output is always there while the disk used stays fixed. Small enough that
   * a flood far exceeds it even under TCG, whose emulated UART passed ~170 KB/s here.
   */
  segmentBytes: 128 * 1024,
  /**
   * How often the console FIFO is read. At the UART's ~170 KB/s that is ~3 KiB a read, well inside the
   * 64 KiB a FIFO holds, so the guest never waits for it; a boot's lines reach the log at most this much later.
   */
  readPauseMs: 20,
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
  /**
   * Workers beyond one per core when VMs are restored (not under --cold): a worker then spends much of
   * its time waiting on idle guests (agent and balloon timers, another worker's template), and more
   * workers fill that time. Measured here (2 cores, TCG): one more took a catalogue run from 145 to
   * 132 s (cores busy 1.55 -> 1.86); a second, once saved states outlived the run and the thrashing
   * OOM case was gone, from 89-91 to 87 s, and to 82-87 s with the balloon file split.
   */
  waitingWorkersWhenRestoring: 2,
} as const;

/**
 * Seconds the long test files took here (2 cores, TCG, four workers), so a run starts the longest
 * first where vitest has no duration of its own cached, as in a fresh clone (every CI run): taken in
 * discovery order, `npm start` there ran its 82 s balloon file fifth and took 118 s, not 102 s. Only
 * the order depends on them: a stale figure makes a run slower, never wrong. A file not listed runs
 * first, as vitest runs a file it knows nothing of (harness/vitest/longest-first.ts).
 */
export const EXPECTED_FILE_SECONDS: Readonly<Record<string, number>> = {
  'suites/agent/agent.test.ts': 65,
  'suites/balloon/balloon.test.ts': 60,
  'suites/hostile/hostile.test.ts': 47,
  'suites/hostile/field-cases.test.ts': 30,
  'suites/disk/host-space.test.ts': 43,
  'suites/disk/guest-fill.test.ts': 35,
  'suites/disk/field-cases.test.ts': 40,
  'suites/balloon/balloon-reclaim.test.ts': 26,
  'suites/snapshot/snapshot.test.ts': 15,
  // On a fresh cache: its entropy state is saved from a guest up 125 s; about 25 s once states are kept.
  'suites/snapshot/field-cases.test.ts': 200,
  'suites/lifecycle/lifecycle.test.ts': 11,
  'suites/lifecycle/field-cases.test.ts': 40,
  'test/faults/disk.test.ts': 628,
  'test/faults/balloon.test.ts': 306,
  'test/faults/served-adapter.test.ts': 139,
  'test/faults/agent.test.ts': 137,
  'test/faults/lifecycle.test.ts': 70,
  'test/faults/snapshot.test.ts': 49,
  'test/faults/hostile.test.ts': 36,
  'test/faults/bisect.test.ts': 26,
  'test/faults/interrupted-run.test.ts': 23,
};

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

// ─── Reports and run comparison (harness/reports/) ─────────────────────────────────────────────────

export const REPORTS = {
  /** Serial console lines kept with a failure in run.json, JUnit and the HTML report. */
  consoleTailLines: 40,
  /** Upper bound on the boot-time histogram's bins (fewer when there are few samples). */
  histogramMaxBins: 20,
  /** A series of fewer points is shown as numbers: a line through one or two points says nothing a number does not. */
  minSeriesPointsToPlot: 3,
} as const;

/** The A/B gate of `gauntlet compare`, after Firecracker's: a permutation test plus a noise floor. */
export const COMPARE = {
  /** A metric change counts only when a two-sided permutation test on the medians gives p below this. */
  significance: 0.01,
  /**
   * ...and the change's whole confidence interval lies at least this fraction of A's median away from
   * no change (the effect-size floor: a hunt looks for 10 % slowdowns; two runs of one build on this
   * 2-core host moved boot time by 6.4 %, with an interval reaching down to 2.7 %)...
   */
  minRelativeChange: 0.05,
  /** ...and beyond how far A's median moves between halves of A's own samples (the noise floor), learned from this many samples up. */
  noiseFloorMinSamples: 8,
  /** The bootstrap interval of the change, at this confidence: printed, and what the floors judge. */
  confidence: 0.95,
  /**
   * Above this many distinct splits of the samples, the permutation test draws this many random ones
   * (and the bootstrap as many): p reaches 1/2001, far below the significance level, and the exec
   * round trips of a whole run (thousands of samples) still compare in seconds.
   */
  resamples: 2_000,
  /** Up to this many splits the permutation test takes every one (exact, and as quick as drawing): 8 samples a side is 12 870. */
  exactSplitsUpTo: 20_000,
  /** Fixed, so the same two records always get the same verdict. */
  seed: 0x5eed,
} as const;

// ─── Agent cases (suites/agent/) ───────────────────────────────────────────────────────────────────
// The read timeouts the cases run with are AGENT.readTimeoutSeconds (short, to stay fast) and
// AGENT.productionReadTimeoutSeconds (what production agents use), set per VM on the kernel command line.

export const AGENT_CASES = {
  /**
   * Idle time beyond the read timeout before an exec that must find the reopened agent: the agent
   * notices its timeout and reopens its port in a moment, not at once (KVM base, scaled).
   */
  reopenAllowanceMs: 500,
  /** multiple-reconnects: idle timeouts in a row, each followed by an exec. */
  reconnectCycles: 3,
  /**
   * reconnect-window-sweep: idle periods of read timeout + offset, the offsets every `stepSeconds`
   * across ± `spanSeconds` and every `denseStepSeconds` just past the timeout, where the agent closes
   * and reopens its port. Measured here (TCG, 2 and 3 s timeouts, other VMs busy), an agent that does
   * not guard its reopen lost requests sent 0.07–0.33 s more than its timeout after the previous one,
   * and no other, nor every one in that range: the window is narrower than the coarse step and moves
   * with the guest's load, hence the dense steps over the range it moves in.
   */
  sweep: {
    /** Shorter than the other cases' (AGENT.readTimeoutSeconds): the sweep idles through some thirty timeouts. */
    readTimeoutSeconds: 2,
    spanSeconds: 1,
    stepSeconds: 0.25,
    denseFromSeconds: 0,
    denseToSeconds: 0.6,
    denseStepSeconds: 0.025,
    /** Guest timeout of each sweep exec; the host gives a lost request up after this plus its reply grace. */
    execTimeoutSeconds: 2,
    /**
     * VMs the offsets are dealt over (round robin), each idling through its share at once: the sweep is
     * waiting, not work, so four idle guests cost memory, not CPU, and take the case from ~70 s to ~20.
     * Each still gets every fourth dense offset, 0.1 s apart: several inside the faults' windows.
     */
    lanes: 4,
    /**
     * How long the agent-unguarded-reopen fault waits, its read timed out, before it closes and reopens
     * its port. A request that reaches the open port in that time is unread at the close, which
     * discards it; one sent while the port is closed waits in the VMM and is answered after the
     * reopen. So the pause comes before the close: one after it (as this fault first had) left only the
     * agent's own ~0.1 s from timeout to close to lose a request in, and a CI run's sweep missed it.
     * Wider than the dense steps (so several land in it) and than the 0.07–0.33 s the reopen moves
     * with load, so the sweep loses a request to it on every run, however busy the host.
     */
    unguardedReopenPauseSeconds: 0.5,
  },
  /** respawn-after-kill: guest timeout of the exec that must reach the respawned agent. */
  respawnExecTimeoutSeconds: 5,
  hostReconnect: {
    /** How long the new request keeps its reply back after releasing the old one, so the old reply comes first. */
    newReplyDelaySeconds: 2,
    /** Guest timeout of the old request, which waits until the new one releases it. */
    oldRequestTimeoutSeconds: 30,
  },
  largeOutputBytes: 8 * 1024 * 1024,
  concurrentExecs: 8,
  /** concurrent-exec: exec i sleeps (count − 1 − i) × this, so replies arrive in the reverse of the send order. */
  concurrentStaggerSeconds: 0.2,
  execTimeout: {
    timeoutSeconds: 2,
    /** What the command would run for if nothing killed it. */
    commandSeconds: 600,
  },
  outputCap: {
    /**
     * Live host memory growth (heap and Buffers after a full collection) allowed per byte the host
     * keeps of a capped stream (AGENT.outputLimitBytes). While a field streams in, the host holds its
     * base64 text (4/3 byte per byte kept); the joined text and the decoded Buffer replace it within
     * one synchronous step, and the result is 1: 1.33 measured here. What grows with the output
     * rather than with the cap (a second copy of the stream) passes 2.
     */
    hostMemoryPerKeptByte: 2,
    /**
     * Each sample runs two full collections (process-memory.ts), some tens of ms with the stream held:
     * at 50 ms the collector took most of the case's 11 s and of its worker's CPU. A host that keeps
     * what it reads grows for as long as the stream lasts, so a few samples a second still see it.
     */
    memorySampleIntervalMs: 250,
  },
} as const;

// ─── Hostile cases (suites/hostile/) ───────────────────────────────────────────────────────────────

export const HOSTILE_CASES = {
  /** console-flood-bounded: how long the guest writes to its serial console without pause (the catalogue's 20 s). */
  floodSeconds: 20,
  /** Beyond floodSeconds, how long the flood may take to end and be answered (KVM base, scaled). */
  floodEndGraceMs: 5_000,
  /**
   * Growth of the harness's live memory allowed while the console floods. The capture holds one
   * socket chunk (64 KiB) and one write at a time, however much the guest writes; a capture that
   * keeps what it reads grows by the flood (megabytes per second).
   */
  floodMemoryBoundBytes: 8 * 1024 * 1024,
  memorySampleIntervalMs: 500,
  /**
   * agent-garbage-frames: the most characters the host may hold of one unfinished frame. The hostile
   * agent writes a 64 KiB line with no frame end; a client bounded by its header limit
   * (AGENT.maxHeaderChars) plus the cases' short replies stays far below this.
   */
  garbageHeldCharsBound: 16 * 1024,
  /** agent-unknown-ids: execs in flight at once, staggered so replies (and the strays after each) interleave with waiting requests. */
  strayExecs: 8,
  strayStaggerSeconds: 0.2,
  /** Replies nobody asked for that the hostile agent sends after each real one: a duplicate and an unknown id. */
  straysPerReply: 2,
  /** How long the last strays may trail their real reply (KVM base, scaled). */
  strayArrivalMs: 1_000,
} as const;

// ─── Disk suite (suites/disk/) ─────────────────────────────────────────────────────────────────────

export const DISK = {
  /** Root filesystem of the disk cases: the default, so their VMs share every other case's saved state. */
  rootfsMiB: VM_DEFAULTS.rootfsMiB,
  /** `/` must be the VM's own bounded disk: larger than this and smaller than the maximum, never the host's. */
  rootfsMinMiB: 50,
  rootfsMaxMiB: 2048,
  /** Root disk of the oversized-rootfs fault: far past rootfsMaxMiB, so the bound check catches it. */
  oversizedRootfsMiB: 3072,
  /** Inode table of the inode cases: small, so a shell loop creates files until it is exhausted in seconds. */
  rootfsInodes: 4096,
  /**
   * Guest-side kill timeout of one fill or writer (KVM base, scaled): a writer still running then hangs.
   * A full 256 MiB fill, or 4096 files to inode exhaustion, took 2-5 s here under TCG (scaled: 60 s).
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
  /**
   * Fault io-throttle-starves: the write limit of a runtime that meant MiB and wrote KiB. An append
   * and its sync (a journal commit and a flush) take seconds; an 8 MiB write takes minutes.
   */
  starvingWriteLimit: { iops: 1, bytesPerSecond: 32 * 1024 },
} as const;

// ─── Balloon cases (suites/balloon/) and the reference runtime's balloon control ─────────────────

export const BALLOON = {
  /** Guest memory of every balloon VM; the MiB figures below are sized for it. */
  memoryMiB: 256,
  /**
   * Swap on zram inside the balloon VMs (0: none). The suite must pass both ways; the workloads write
   * random bytes, which zram cannot compress, so swap never makes an allocation look cheaper than it is.
   */
  zramMiB: 0,
  /** Where an idle (warm-pool) VM is parked. */
  inflateTargetMiB: 128,
  /** inflate-below-minimum-clamps asks for this. */
  belowMinimumTargetMiB: 16,
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
  /** inflate-reduces-available: MemAvailable must drop by this share of (memory − target). */
  minAvailableDropFraction: 0.5,
  /** host-rss-reclaim: the VMM's host memory must drop by this share of (memory − target). */
  minHostReclaimFraction: 0.6,
  /** free-page-reporting: host memory must come back to within this share above its pre-touch level. */
  freePageReportingSlackFraction: 0.2,
  /**
   * The smallest free block (as a page order: 5 is 128 KiB of 4 KiB pages) a guest with free page
   * reporting on reports to the VMM. Linux reports only whole 2 MiB pageblocks (order 9) unless told
   * otherwise, and a guest that touched and freed 150 MiB leaves free pages scattered among a few
   * pages it allocated meanwhile: at order 9, 15 to 33 MiB stayed resident on the host (aarch64, TCG,
   * a second core busy; 1 run in 10 above the 20 % bound), at order 5 5 to 8 MiB. What the case
   * judges is whether the VMM gives back what the guest reports, not how fragmented the guest is.
   */
  guestPageReportingOrder: 5,
  /**
   * deflate-on-oom allocates this much more than the ballooned guest has available. The guest gives
   * back 1 MiB per OOM event, so more only costs time.
   */
  beyondAvailableMiB: 24,
  /**
   * A guest whose balloon deflates on OOM protects the pages it used in this window (the kernel's
   * multi-gen LRU `min_ttl_ms`) and goes to the OOM path, where the balloon gives memory back, rather
   * than thrash first. With the kernel's default reclaim, deflate-on-oom re-read ~530 MiB of its own
   * binaries from disk before each 1 MiB came back: 11 s of a host core for 33 MiB (TCG), 1.2 s with
   * this. What the case judges, that the runtime's balloon deflates on OOM, is the same either way.
   */
  guestOomWorkingSetMs: 1_000,
  rapidCycles: 5,
  idempotentRepeats: 3,
  soakTargets: 50,
  /** random-target-soak: the guest workload allocates and frees this much over and over. */
  soakChurnMiB: 16,
  /** guest-stats: how often the guest is asked for its stats. */
  statsIntervalSeconds: 1,
  /**
   * The balloon's actual size is polled this often while it moves. A move is timed by QEMU's
   * BALLOON_CHANGE stamp where one arrives, but QEMU passes on one event a second and drops those
   * a next move overwrites (seen: back-to-back deflates got none), so the polled time must be fine
   * too: 50 ms steps read 52, 104, 156 ms, too coarse to see a 10 % change; a query costs ~1 ms.
   */
  queryIntervalMs: 10,
  /**
   * How long after a move is seen done the VMM's balloon-change event that times it may still come:
   * QEMU delivers at most one BALLOON_CHANGE per second per monitor and holds back the rest (stamped
   * with when they happened), so the last one of a move can arrive up to a second late.
   */
  changeEventLateMs: 1_500,
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
  connectDeadlineMs: 5_000,
  reachTargetDeadlineMs: 5_000,
  hostMemoryStableDeadlineMs: 10_000,
  freePageReportingDeadlineMs: 8_000,
  statsDeadlineMs: 5_000,
  /** Guest-side timeouts of the workloads: touching memory, filling a holder, allocating through OOM. */
  touchDeadlineMs: 15_000,
  oomAllocationDeadlineMs: 45_000,
} as const;

/**
 * What the catalogue asks of any runtime's balloon control. A runtime reports its own floor and
 * tolerance (BalloonControl.limits(); the reference runtime's are in runtime/qemu/balloon-control.ts);
 * a balloon case first checks them against these bounds, then judges the runtime by what it reported.
 */
export const BALLOON_CATALOGUE = {
  /** The most slack a runtime may claim between a target and where the balloon rests: the snapshot cases' "within 16 MiB". */
  maxToleranceMiB: 16,
  /** The highest floor a runtime may keep for a BALLOON.memoryMiB guest: a higher one could not park a VM where the warm pool does. */
  maxMinimumMiB: BALLOON.inflateTargetMiB,
  /**
   * The floor less the tolerance must be above this, inflate-below-minimum-clamps' target: else a
   * balloon that went all the way to the target would pass as clamped.
   */
  floorAboveMiB: BALLOON.belowMinimumTargetMiB,
} as const;

export const STABLE_SAMPLING = {
  /** A measurement counts as settled once `settledSamples` samples in a row spread by at most this share. */
  maxRelativeChange: 0.01,
  /** Three intervals of holding still: one small step between two samples is also what a slow drift looks like. */
  settledSamples: 4,
} as const;

/** An out-of-process runtime (`--runtime exec:...`) and the protocol the harness speaks with it. */
export const ADAPTER = {
  /** An adapter that has not answered initialize by then does not start: npx and tsx take a few seconds cold. */
  initializeDeadlineMs: 60_000,
  /** destroy and leftovers answer within this or the adapter is killed: teardown must end within the case's hook timeout. */
  teardownDeadlineMs: 45_000,
  /** After stdin closes, how long the adapter has to tear its VMs down and exit before it is killed. */
  exitGraceMs: 10_000,
  /** The end of the adapter's stderr kept for the message of the case it failed. */
  stderrTailBytes: 4_096,
  /** A garbage line is quoted up to this many characters. */
  quotedLineChars: 120,
  /** The crash test kills the adapter this long into a 30 s exec: the request is surely on its way by then. */
  crashTestKillAfterMs: 500,
} as const;

/** `gauntlet bench`: the harness's own speed, measured like any metric. */
export const BENCH = {
  /** Rounds of raw boot, cold create and restore: `gauntlet compare` judges a metric from 8 samples a side. */
  rounds: 8,
  /** Execs timed on each cold VM: 8 × 25 = 200 round trips make a p99 that is not just the slowest one. */
  execsPerRound: 25,
  /** The line the initramfs prints first (fixtures/guest/initramfs-init.sh): raw QEMU's boot ends there. */
  firstInitLine: 'gauntlet-initramfs: start',
  /** The targets of issue 13, printed beside the figures (the bench measures; it does not fail on them). */
  targets: { coldOverRaw: 1.1, restoreOverCold: 0.15, execP50Ms: 30, harnessCpuPercent: 5 },
} as const;

/** How the kernel counts CPU time in /proc/<pid>/stat: USER_HZ, 100 on every Linux ABI the harness runs on. */
export const CPU_ACCOUNTING = {
  ticksPerSecond: 100,
} as const;
