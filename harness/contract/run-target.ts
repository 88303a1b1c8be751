/**
 * The run target: what a run runs on, resolved once by the selected runtime's kind in the run
 * preparation (the reference runtime: its preflight, version and accelerator probe; an adapter: its
 * initialize answer) and handed down to the workers in the settings. Reports, doctor and bench read
 * it; nothing downstream asks a binary or works out a default again.
 */
/** What runs the guest's instructions: the host's hypervisor (Linux KVM, macOS HVF) or software emulation (TCG). */
export type Accelerator = 'kvm' | 'hvf' | 'tcg';
export const GUEST_ARCHES = ['x86_64', 'aarch64'] as const;
export type GuestArch = (typeof GUEST_ARCHES)[number];

export interface RunTarget {
  /** The runtime under test and its own version (an adapter says it; the in-process reference runtime has none of its own). */
  runtime: string;
  runtimeVersion?: string;
  /** The adapter command (`--runtime exec:...`); absent in process. */
  runtimeAdapter?: string;
  /** The VMM that runs the guests, as the runtime names it, and its version line; absent when an adapter does not say. */
  vmm?: string;
  vmmVersion?: string;
  /** The VMM binary this host runs (in process only: an adapter runs its own). */
  vmmBinary?: string;
  /** The packaged build that binary was unpacked from, and where the package came from. */
  vmmPackage?: { name: string; version: string; source: string };
  /** How the runtime restores a saved VM, where it chose among ways, and why that way. */
  restoreTransport?: RestoreTransport;
  accelerator: Accelerator;
  /** One line a person can act on: why this accelerator, and why not the others. */
  acceleratorReason: string;
  arch: GuestArch;
  /** The runtime's machine or board, where it has a choice (e.g. microvm, q35, virt). */
  machine?: string;
  /** Further tools the runtime runs and their version lines, by name (e.g. a disk image tool). */
  tools: Record<string, string>;
}

export interface RestoreTransport {
  name: string;
  reason: string;
}

/** The guest a runtime kind may boot to resolve its target (an accelerator probe): the run's kernel and initramfs. */
export interface ProbeGuest {
  kernel: string;
  initramfs: string;
}

/** A runtime kind's answer to its preflight: the target, once the guest image exists. */
export type ResolveTarget = (guest: ProbeGuest) => Promise<RunTarget>;
