/**
 * The contract every runtime implements. A case talks only to `Sandbox`; it never sees VMM flags,
 * sockets or the VMM's control channel, so a second runtime (Firecracker, boxlite, microsandbox, ...) plugs in here.
 */

export type Accelerator = 'kvm' | 'hvf' | 'tcg';
export const GUEST_ARCHES = ['x86_64', 'aarch64'] as const;
export type GuestArch = (typeof GUEST_ARCHES)[number];

/** What a runtime can do. A case that needs a capability the runtime lacks skips with a note naming it. */
export type Capability =
  | 'balloon'
  | 'balloon-free-page-reporting'
  | 'balloon-deflate-on-oom'
  | 'balloon-stats'
  | 'stop-start'
  | 'disk-discard'
  | 'scratch-disk'
  | 'host-footprint'
  | 'host-vmm-memory'
  /** Memory the guest gives back (balloon inflate, free page reporting) visibly leaves the VMM's host memory. */
  | 'host-memory-reclaim'
  /** The VMM pauses the VM on a host write error and resumes it on request; setHostStorageFull causes one on demand. */
  | 'io-error-pause'
  | 'file-transfer'
  | 'agent-reconnect'
  /** A VM can be restored from a saved, ready one (SandboxSpec.restore) instead of booting. */
  | 'snapshot';

export interface BalloonOptions {
  freePageReporting?: boolean;
  deflateOnOom?: boolean;
  /** Guest stats polling interval in seconds; 0 or undefined leaves polling off. */
  statsIntervalSeconds?: number;
}

export interface DiskOptions {
  /** Root filesystem size; the disk cases need a small one. */
  rootfsMiB?: number;
  rootfsInodes?: number;
  /** Whether guest discards reach the host file (discard=unmap). */
  discard?: boolean;
  /** Size of an extra empty scratch disk (/dev/vdb) in MiB; none when undefined. */
  scratchMiB?: number;
  /** Host directory that holds this VM's writable overlays (host-enospc puts it on a small fs). */
  overlayDir?: string;
  /** What the VMM does on a host write error: stop (pause the VM) or report it to the guest. */
  writeErrorPolicy?: 'stop' | 'report' | 'enospc';
  readErrorPolicy?: 'stop' | 'report';
  /** The host storage under the root disk can be made to run full on demand (Sandbox.setHostStorageFull). */
  hostStorageControl?: boolean;
}

export interface AgentOptions {
  /** Seconds after which the idle guest agent closes and reopens its port, as production agents do. */
  readTimeoutSeconds?: number;
}

/**
 * Deliberately broken behaviour, so each suite can prove its cases turn red on a broken VM.
 * Every fault names the part it breaks.
 */
export type Fault =
  /** The runtime lets the VMM write the serial console to a plain file, which grows as long as the guest writes. */
  | 'console-log-uncapped'
  /** The client keeps each line the guest sends whole until its newline, however long (the naive line reader). */
  | 'client-unbounded-line-buffer'
  /** The client does not wait for the agent's HELLO: create just sends its first exec and waits for that reply. */
  | 'client-no-hello-deadline'
  /** The client hands a reply whose id no request waits for to the oldest waiting request. */
  | 'client-delivers-stray-replies'
  | 'balloon-driver-missing'
  | 'no-free-page-reporting'
  | 'no-deflate-on-oom'
  /** The runtime leaves the VMM at its own default memory size (QEMU: 128 MiB) instead of the VM's. */
  | 'vmm-default-memory'
  /** The VMM locks guest memory in host RAM (QEMU -overcommit mem-lock=on), so an inflated balloon frees nothing. */
  | 'guest-memory-locked'
  /** The runtime never turns the balloon's guest stats polling on. */
  | 'no-balloon-stats-polling'
  /** The balloon control passes targets below the runtime's minimum to the VMM. */
  | 'no-balloon-floor'
  /** The balloon control treats a target above the VM's memory as nothing to do and drops it. */
  | 'balloon-drops-target-above-memory'
  /** The balloon control keeps no connection state: it dials on every connect, closes what it may not hold, sends on no connection. */
  | 'balloon-control-untracked'
  /** The guest lacks the driver of its agent port (virtio_console), so the VM never gets ready. */
  | 'agent-port-driver-missing'
  /** start() boots from a fresh overlay of the base image instead of the VM's own disk. */
  | 'fresh-overlay-on-start'
  | 'no-discard'
  | 'oversized-rootfs'
  /** The runtime builds the root filesystem with mkfs's default inode count, not the one the spec asks for. */
  | 'rootfs-inodes-ignored'
  | 'overlay-leak-on-destroy'
  | 'agent-unguarded-reopen'
  /** The agent's read timeout never closes and reopens its port. */
  | 'agent-never-reopens'
  /** On timeout the agent kills the command's shell, not its process group. */
  | 'agent-shell-only-kill'
  /** The agent reports its output pipeline's exit status (always 0) instead of the command's. */
  | 'agent-pipeline-status'
  | 'agent-no-respawn'
  | 'client-ignores-request-ids'
  /** The client hands output on as UTF-8 text (turned back into bytes): binary output is mangled. */
  | 'client-output-as-text'
  /** The client reads only the timed-out flag of a reply: output the guest cut short looks complete. */
  | 'client-ignores-truncated-flag'
  /** The client keeps every chunk it receives (a debugging transcript): its memory grows with all output. */
  | 'client-keeps-transcript'
  /** The agent keeps its per-request files (each exec's output) on the root disk instead of tmpfs, so a full disk silences it. */
  | 'agent-state-on-rootfs'
  /** The runtime's I/O limit on the VM's disks is given in the wrong unit: a write or two and a few KiB per second. */
  | 'io-throttle-starves'
  /** The client's upload reports success whatever the guest's write of the file did. */
  | 'upload-ignores-exit-code'
  /** Overlays are made with lazy refcounts (faster allocating writes): their refcounts on the host go stale until a clean close. */
  | 'lazy-refcounts'
  /** The VMM hands a failed host write (no space included) to the guest as an I/O error instead of pausing the VM. */
  | 'host-write-errors-reported'
  /** Every VM restored from one saved state runs on the same writable overlay. */
  | 'restore-shares-overlay'
  /** A restored VM's balloon is set back to the whole memory, as for a VM that just booted. */
  | 'restore-resets-balloon'
  /** The balloon's guest stats polling (host-side state, not in the saved state) is not turned on again after a restore. */
  | 'restore-loses-stats-polling'
  /** The host waits for the agent's HELLO after a restore, as after a boot; the restored agent, mid-read, greets only at its idle reopen. */
  | 'restore-awaits-hello';

export interface SandboxSpec {
  /** Used in file and log names; unique per test. */
  name: string;
  memoryMiB?: number;
  vcpus?: number;
  balloon?: BalloonOptions | false;
  disk?: DiskOptions;
  agent?: AgentOptions;
  /** Swap on zram of this size inside the guest; 0 or undefined: none. */
  zramMiB?: number;
  faults?: Fault[];
  /** The guest misbehaves on purpose (the hostile cases): the harness must stay unhurt. */
  hostile?: HostileGuest;
  /**
   * Start from a saved, ready VM of the same spec instead of booting (the runtime saves one on first
   * use). A runtime that cannot, or a run asked to boot everything cold, boots it and says why.
   */
  restore?: boolean | RestoreOptions;
}

export interface RestoreOptions {
  /** The balloon is inflated to this target before the VM is saved. */
  balloonTargetMiB?: number;
}

/** What a hostile guest does; the reference runtime passes it to the guest on its kernel command line. */
export interface HostileGuest {
  /**
   * garbage-frames: random bytes, cut frames and an endless line before every frame the agent sends;
   * never-hello: the agent opens its port but never greets; unknown-ids: each reply is followed by a
   * duplicate of it and by a reply to an id the host never sent.
   */
  agent?: 'garbage-frames' | 'never-hello' | 'unknown-ids';
}

/** What the host side of the agent channel had to put up with, counted since the VM booted. */
export interface AgentChannelReport {
  /** Stretches of input that were no frame (garbage, cut frames, malformed headers), each skipped. */
  protocolErrors: number;
  /** The latest of them, as reported. */
  lastProtocolError: Error | undefined;
  /** Replies no request was waiting for (an id never sent, a duplicate, a late answer): ignored. */
  strayReplies: number;
  /** The most characters the host ever held of one unfinished frame. */
  peakHeldChars: number;
}

/** The serial console as the runtime keeps it on the host. */
export interface ConsoleLogReport {
  /** Bytes of the kept log files on disk. */
  keptBytes: number;
  /** Bytes the guest wrote to its console that reached the host; undefined where the VMM writes the log itself. */
  receivedBytes: number | undefined;
}

export interface ExecOptions {
  env?: Record<string, string>;
  /** Killed in the guest after this many seconds; the result says timedOut. */
  timeoutSeconds?: number;
  stdin?: Uint8Array | string;
  /** Bytes of stdout and of stderr kept; beyond that the result says truncated. */
  outputLimitBytes?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
  truncated: boolean;
  /** Host-side round trip in milliseconds. */
  durationMs: number;
}

export type SandboxState = 'created' | 'running' | 'paused' | 'stopped' | 'destroyed';

export interface BalloonStats {
  /** Guest-reported values in bytes; undefined where the guest has not reported (yet). */
  freeBytes?: number;
  totalBytes?: number;
  availableBytes?: number;
  lastUpdate?: number;
}

/**
 * The bounds a balloon control keeps, as the runtime reports them. A case checks them against the
 * catalogue's bounds (config/constants.ts BALLOON_CATALOGUE), then judges the runtime by them.
 */
export interface BalloonLimits {
  /** The least the control lets the balloon squeeze the guest to: a lower target is raised to it. */
  minimumMiB: number;
  /** How far from its target (and from the VM's memory) the balloon's actual size may come to rest, either way. */
  toleranceMiB: number;
}

/** Host-side balloon control of one sandbox (absent when the runtime has no balloon). */
export interface BalloonControl {
  /** The control's floor and tolerance; answers before connect too. */
  limits(): Promise<BalloonLimits>;
  connect(): Promise<void>;
  close(): Promise<void>;
  /** Current balloon size as the guest sees its memory: `actual` in MiB. */
  query(): Promise<number>;
  setTarget(targetMiB: number): Promise<void>;
  /** Sets the target (at least the minimum) and waits until actual ≤ target + tolerance; returns the size before. */
  inflate(targetMiB: number): Promise<number>;
  /**
   * Sets the target and waits until actual ≥ target − tolerance; returns the size before. A target above
   * the VM's memory goes to the VMM as asked (keeping the guest within its memory is the VMM's part), and
   * the wait is for the whole memory.
   */
  deflate(targetMiB: number): Promise<number>;
  stats(): Promise<BalloonStats>;
  /**
   * Every inflate and deflate since connect, timed from the request to the size reached — by the
   * VMM's own balloon-change events where it sends them, else by polling. Waits briefly for events
   * a VMM delivers late (QEMU throttles them). A runtime that times nothing leaves it out.
   */
  moves?(): Promise<BalloonMove[]>;
}

export interface BalloonMove {
  direction: 'inflate' | 'deflate';
  /** How far the balloon's actual size moved, in MiB. */
  movedMiB: number;
  durationMs: number;
  timedBy: 'vmm-event' | 'polling';
}

export interface HostFootprint {
  /** Allocated bytes (blocks, never apparent size) of each host file behind the VM's disks. */
  files: Record<string, number>;
  totalBytes: number;
}

/** What the runtime's disk image checker found in one host file behind a disk. */
export interface DiskImageCheck {
  file: string;
  /** Corruptions, and errors that kept the checker from finishing: any of them means damaged data. */
  errors: number;
  /** Clusters allocated but referenced by nothing: wasted host space, no harm to data. */
  leaks: number;
  /** The checker's own report, for failure messages. */
  report: string;
}

/** The kinds of VmEvent: each runtime maps its VMM's own events to these, and drops the rest. */
export const VM_EVENT_KINDS = ['io-error', 'paused', 'resumed', 'balloon-changed'] as const;
export type VmEventKind = (typeof VM_EVENT_KINDS)[number];

/** What an event of each kind says. */
export interface VmEventData {
  /** A host I/O error on one of the VM's disks. */
  'io-error': {
    /** The disk as the runtime names it (the reference runtime: root, scratch). */
    disk: string;
    operation: 'read' | 'write';
    /** The host had no space left (ENOSPC), as opposed to any other I/O error. */
    noSpace: boolean;
    /** What the VMM did about it: paused the VM, handed the error to the guest, or went on. */
    action: 'pause' | 'report' | 'ignore';
  };
  /** The VM stopped running: asked to, or by the VMM on its own (after a host I/O error). */
  paused: Record<string, never>;
  resumed: Record<string, never>;
  /** The balloon's actual size changed. */
  'balloon-changed': { actualMiB: number };
}

/** Something the VMM reported without being asked, e.g. a paused VM after a host I/O error. */
export type VmEvent<K extends VmEventKind = VmEventKind> = {
  [Kind in K]: {
    kind: Kind;
    data: VmEventData[Kind];
    /** When the host received it: milliseconds since this boot's VMM began to report events. */
    atMs: number;
    /** When the VMM says it happened (epoch ms), where it says so: exact even when the VMM delays the event. */
    vmmEpochMs?: number;
    /** The VMM's own name of the event, for reports and diagnostics only: cases read `kind`. */
    vmmName?: string;
  };
}[K];

/** How long one boot took to each milestone, in milliseconds from the VMM's start. */
export interface BootTimeline {
  /** The guest's first console output reached the host (undefined: none before ready). */
  firstConsoleOutputMs: number | undefined;
  /** The VMM's control channel answered. */
  controlConnectMs: number;
  /** The guest agent answered the first exec: the VM is ready. */
  firstExecMs: number;
  /** Restored from a saved state rather than booted: firstExecMs is then the restore time. */
  restored?: boolean;
}

/** What the runtime timed of one sandbox's own operations, for the reports. */
export interface SandboxTimings {
  /** One per boot (create, and each start after a stop). */
  boots: readonly BootTimeline[];
  /** Host-side round trip of every exec, in order. */
  execRoundTripsMs: readonly number[];
}

export interface Sandbox {
  readonly name: string;
  readonly spec: Required<Pick<SandboxSpec, 'memoryMiB' | 'vcpus'>> & SandboxSpec;
  readonly state: SandboxState;
  /** Process id of the VMM on the host, while it runs. */
  readonly vmmPid: number | undefined;
  /** Milliseconds from process start to the first successful exec of the last boot. */
  readonly bootMs: number | undefined;
  /** What runs the guest: a case's deadlines stretch with it (config/constants.ts deadlineMs). */
  readonly accelerator: Accelerator;
  /** Why a VM that asked to be restored booted cold instead; undefined when it was restored or never asked. */
  readonly restoreFallback?: string;
  /** The boots and execs the runtime timed; a runtime that times nothing leaves it out. */
  timings?(): SandboxTimings;

  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  upload(guestPath: string, data: Uint8Array): Promise<void>;
  download(guestPath: string): Promise<Buffer>;

  /** A fresh control client for the balloon; undefined when the runtime has none. */
  balloon(): BalloonControl | undefined;
  hostFootprint(): Promise<HostFootprint>;
  /** Checks every host file behind the VM's disks; a running VM is paused for it and resumed after. */
  checkDiskConsistency(): Promise<DiskImageCheck[]>;
  /** Resident memory of the VMM process in bytes, as the host reports it (/proc on Linux, ps on macOS). */
  vmmMemoryBytes(): Promise<number>;
  /** Every event of every boot, in order. */
  events(): readonly VmEvent[];
  /** The first event of `kind` since the current boot began, waiting up to `timeoutMs` for it. */
  waitForEvent<K extends VmEventKind>(kind: K, timeoutMs: number): Promise<VmEvent<K>>;
  /** Resume a VM the VMM paused (e.g. after a host I/O error). */
  resume(): Promise<void>;
  /**
   * Makes the host storage under the root disk refuse writes for lack of space, as a full host
   * filesystem does (true), or accept them again, as once space is freed (false). Only for a VM made
   * with disk.hostStorageControl.
   */
  setHostStorageFull(full: boolean): Promise<void>;
  /** Drop the host side of the agent channel and connect again. */
  reconnectAgent(): Promise<void>;

  /** Shut the guest down cleanly; the disk is kept for start(). */
  stop(): Promise<void>;
  /** Boot again on the same disk. */
  start(): Promise<void>;
  /** Kill, wait, remove everything the VM created, then check nothing is left. */
  destroy(): Promise<void>;
  /** What of this VM is still on the host (live VMM, sockets, overlays, directories); empty after destroy. */
  leftovers(): Promise<string[]>;

  /** Paths worth keeping when a test fails: command line, serial console, the VMM control channel's transcript. */
  artifacts(): Record<string, string>;
  /** Recent serial console output, for failure messages. */
  consoleTail(lines?: number): Promise<string>;
  consoleLog(): Promise<ConsoleLogReport>;
  agentChannel(): AgentChannelReport;
}

export interface Runtime {
  readonly name: string;
  readonly accelerator: Accelerator;
  readonly capabilities: ReadonlySet<Capability>;
  /** Capabilities the runtime lacks on this host only, each with why, for the note of the case that skips. */
  readonly missingOnThisHost: ReadonlyMap<Capability, string>;
  create(spec: SandboxSpec): Promise<Sandbox>;
  /** Lets go of what the runtime holds beyond its sandboxes (an adapter process); absent when nothing. */
  close?(): Promise<void>;
}
