/**
 * The contract every runtime implements: the Runtime that makes sandboxes and the Sandbox a case talks
 * to. A case never sees VMM flags, sockets or the VMM's control channel, so a second runtime
 * (Firecracker, boxlite, microsandbox, ...) plugs in here. Its parts by concern sit beside it: the run
 * target (run-target.ts), faults (faults.ts), VM events (events.ts), the balloon control (balloon.ts).
 */
import type { BalloonControl, BalloonOptions } from './balloon.ts';
import type { VmEvent, VmEventKind } from './events.ts';
import type { Fault } from './faults.ts';
import type { Accelerator } from './run-target.ts';

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
  /** Sandbox.vmmOverhead: the VMM's resident memory apart from the guest RAM it holds, watched through the VM's life. */
  | 'host-vmm-overhead'
  /** Memory the guest gives back (balloon inflate, free page reporting) visibly leaves the VMM's host memory. */
  | 'host-memory-reclaim'
  /** The VMM pauses the VM on a host write error and resumes it on request; setHostStorageFull causes one on demand. */
  | 'io-error-pause'
  | 'file-transfer'
  | 'agent-reconnect'
  /** A VM can be restored from a saved, ready one (SandboxSpec.restore) instead of booting. */
  | 'snapshot'
  /** A running guest can be made to hang and let go again on request (Sandbox.freezeGuest). */
  | 'guest-freeze'
  /**
   * The VMs boot the harness's own guest and agent (docs/guest-contract.md): the agent's files under
   * /run/gauntlet-agent, spec.agent and spec.hostile mean what they say.
   */
  | 'gauntlet-agent';

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
   * `false`: boot it, the case's subject is boot. The vm fixture asks for a restore when a case says nothing.
   */
  restore?: boolean | RestoreOptions;
}

export interface RestoreOptions {
  /** The balloon is inflated to this target before the VM is saved. */
  balloonTargetMiB?: number;
  /**
   * The VM is saved once its guest has been up this long: a guest past its kernel's early-boot phase
   * (a case about what a clone carries over, which a young guest would hide by reseeding on its own).
   */
  savedAtUptimeSeconds?: number;
}

/** What a restored VM's saved state was, as the runtime recorded it when it saved it. */
export interface SavedStateFacts {
  /** Host wall clock, in milliseconds since the epoch, when the state was saved. */
  savedAtMs: number;
  /** The guest's uptime (its monotonic clock since boot) in seconds, read just before the save. */
  guestUptimeSeconds: number;
}

/** What a hostile guest does; the reference runtime passes it to the guest on its kernel command line. */
export interface HostileGuest {
  /**
   * garbage-frames: random bytes, cut frames and an endless line before every frame the agent sends;
   * never-hello: the agent opens its port but never greets; unknown-ids: each reply is followed by a
   * duplicate of it and by a reply to an id the host never sent; stops-reading: the agent answers its
   * first request (the VM is ready), then never reads its port again.
   */
  agent?: 'garbage-frames' | 'never-hello' | 'unknown-ids' | 'stops-reading';
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

/** The VMM's own memory as its runtime watched it, every boot of the VM together. */
export interface VmmOverheadWatch {
  /** Looks taken. */
  samples: number;
  /** The most seen, in bytes. */
  peakBytes: number;
  /** The longest time between two looks while a VMM ran, counted from its start, in ms. */
  longestGapMs: number;
  /** Each look: ms since the VM was made, and the VMM's own memory then in bytes. */
  points: { atMs: number; bytes: number }[];
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
  /**
   * How the runtime made this restored VM's random generator its own before its first exec (a VM
   * generation ID device, or a reseed by the agent); undefined when it was not restored or the runtime
   * does not say.
   */
  readonly restoreReseed?: string;
  /** What the runtime recorded of the state this VM was restored from; undefined when it booted. */
  readonly restoredFrom?: SavedStateFacts;
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
  /**
   * The VMM's own resident memory (all it holds minus the guest RAM it holds for the guest; under TCG
   * with its translation cache) as the runtime watched it from the VM's first boot until now
   * (capability 'host-vmm-overhead'). The runtime takes the looks itself, off the caller's event loop.
   */
  vmmOverhead(): Promise<VmmOverheadWatch>;
  /** Every event of every boot, in order. */
  events(): readonly VmEvent[];
  /** The first event of `kind` since the current boot began, waiting up to `timeoutMs` for it. */
  waitForEvent<K extends VmEventKind>(kind: K, timeoutMs: number): Promise<VmEvent<K>>;
  /**
   * Makes the running guest hang (true), as a guest whose kernel or agent froze does, or lets it go
   * (false); capability 'guest-freeze'. The runtime's own view of the VM stays as it was (running):
   * what a caller meets meanwhile is what a real hang shows it.
   */
  freezeGuest(frozen: boolean): Promise<void>;
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
  /** The faults it can inject on request (`SandboxSpec.faults`): a fault test of another is not made on it. */
  readonly faults: ReadonlySet<Fault>;
  create(spec: SandboxSpec): Promise<Sandbox>;
  /** Lets go of what the runtime holds beyond its sandboxes (an adapter process); absent when nothing. */
  close?(): Promise<void>;
}
