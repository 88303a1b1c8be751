/**
 * QEMU's QMP events in the runtime contract's terms: the one place that knows which QMP event is
 * which VmEvent kind and how its data reads. Everything outside runtime/qemu/ sees kinds only; the
 * events the contract has no kind for (VSERPORT_CHANGE, SHUTDOWN, ...) stay in the QMP transcript.
 */
import type { VmEvent, VmEventData, VmEventKind } from '../../contract/events.ts';
import type { QmpEvent } from './qmp-client.ts';

const MIB = 1024 * 1024;

/** What QEMU's rerror/werror policy did about a failed request (BLOCK_IO_ERROR's `action`, one of these three). */
const IO_ERROR_ACTION: Record<'stop' | 'report' | 'ignore', VmEventData['io-error']['action']> = { stop: 'pause', report: 'report', ignore: 'ignore' };

type DataOf = { [K in VmEventKind]: { kind: K; data: (qmp: Record<string, unknown>) => VmEventData[K] } }[VmEventKind];

const KIND_OF_QMP_EVENT: Record<string, DataOf> = {
  BLOCK_IO_ERROR: {
    kind: 'io-error',
    data: (qmp) => ({
      // `device` is the drive's id (root, scratch); a drive made with -blockdev alone has only a node name.
      disk: String(qmp.device || qmp['node-name'] || ''),
      operation: qmp.operation as VmEventData['io-error']['operation'],
      noSpace: qmp.nospace === true,
      action: IO_ERROR_ACTION[qmp.action as keyof typeof IO_ERROR_ACTION],
    }),
  },
  STOP: { kind: 'paused', data: () => ({}) },
  RESUME: { kind: 'resumed', data: () => ({}) },
  BALLOON_CHANGE: { kind: 'balloon-changed', data: (qmp) => ({ actualMiB: Number(qmp.actual) / MIB }) },
};

/** The QMP event as a VmEvent; undefined for one the contract has no kind for. */
export function vmEventOf(qmp: QmpEvent): VmEvent | undefined {
  const mapping = KIND_OF_QMP_EVENT[qmp.name];
  if (!mapping) return undefined;
  return {
    kind: mapping.kind,
    data: mapping.data(qmp.data),
    atMs: qmp.atMs,
    ...(qmp.vmmEpochMs !== undefined && { vmmEpochMs: qmp.vmmEpochMs }),
    vmmName: qmp.name,
  } as VmEvent;
}

/** One VM's events over all its boots, in the contract's terms; a wait looks at the current boot's only. */
export class VmEventLog {
  private readonly all: VmEvent[] = [];
  private readonly listeners = new Set<(event: VmEvent) => void>();
  private bootStart = 0;

  get events(): readonly VmEvent[] {
    return this.all;
  }

  /** A new boot begins: what the VM reported before it no longer answers a wait. */
  beginBoot(): void {
    this.bootStart = this.all.length;
  }

  /** Keeps the QMP event if the contract has a kind for it, and returns it as a VmEvent. */
  add(qmp: QmpEvent): VmEvent | undefined {
    const event = vmEventOf(qmp);
    if (!event) return undefined;
    this.all.push(event);
    for (const listener of [...this.listeners]) listener(event);
    return event;
  }

  waitFor<K extends VmEventKind>(kind: K, timeoutMs: number): Promise<VmEvent<K>> {
    const seen = this.all.slice(this.bootStart).find((event) => event.kind === kind);
    if (seen) return Promise.resolve(seen as VmEvent<K>);
    return new Promise((resolve, reject) => {
      const listener = (event: VmEvent) => {
        if (event.kind !== kind) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(event as VmEvent<K>);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no ${kind} event within ${timeoutMs} ms`));
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }
}
