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
