import { describe, expect, test } from 'vitest';
import type { QmpEvent } from '../../harness/runtime/qemu/qmp-client.ts';
import { VmEventLog, vmEventOf } from '../../harness/runtime/qemu/vm-events.ts';

const MIB = 1024 * 1024;
const qmp = (name: string, data: Record<string, unknown> = {}, extra: Partial<QmpEvent> = {}): QmpEvent => ({ name, data, atMs: 5, ...extra });

describe('QMP events as VM events', () => {
  test('BLOCK_IO_ERROR for lack of space, with the VM stopped for it', () => {
    const event = vmEventOf(qmp('BLOCK_IO_ERROR', { device: 'root', 'node-name': '#block123', operation: 'write', action: 'stop', nospace: true, reason: 'No space left on device' }));
    expect(event).toEqual({ kind: 'io-error', data: { disk: 'root', operation: 'write', noSpace: true, action: 'pause' }, atMs: 5, vmmName: 'BLOCK_IO_ERROR' });
  });

  test('BLOCK_IO_ERROR of another cause, handed to the guest; a drive known by its node name only', () => {
    const event = vmEventOf(qmp('BLOCK_IO_ERROR', { device: '', 'node-name': 'root-file', operation: 'read', action: 'report', reason: 'Input/output error' }));
    expect(event).toMatchObject({ kind: 'io-error', data: { disk: 'root-file', operation: 'read', noSpace: false, action: 'report' } });
  });

  test('STOP, RESUME and BALLOON_CHANGE; QMP\'s own timestamp is kept', () => {
    expect(vmEventOf(qmp('STOP'))).toMatchObject({ kind: 'paused', data: {}, vmmName: 'STOP' });
    expect(vmEventOf(qmp('RESUME'))).toMatchObject({ kind: 'resumed', data: {} });
    expect(vmEventOf(qmp('BALLOON_CHANGE', { actual: 128 * MIB }, { vmmEpochMs: 1_700_000_000_123 }))).toEqual({
      kind: 'balloon-changed',
      data: { actualMiB: 128 },
      atMs: 5,
      vmmEpochMs: 1_700_000_000_123,
      vmmName: 'BALLOON_CHANGE',
    });
  });

  test('events the contract has no kind for are left out', () => {
    expect(vmEventOf(qmp('VSERPORT_CHANGE', { id: 'agentport', open: true }))).toBeUndefined();
    expect(vmEventOf(qmp('SHUTDOWN', { guest: false, reason: 'host-qmp-quit' }))).toBeUndefined();
  });
});

describe('the event log of one VM', () => {
  test('keeps every boot, and answers a wait from the current boot only', async () => {
    const log = new VmEventLog();
    log.add(qmp('STOP'));
    log.add(qmp('VSERPORT_CHANGE'));
    log.beginBoot();
    await expect(log.waitFor('paused', 20)).rejects.toThrow('no paused event within 20 ms');
    const waiting = log.waitFor('paused', 1_000);
    log.add(qmp('RESUME'));
    log.add(qmp('STOP', {}, { atMs: 9 }));
    await expect(waiting).resolves.toMatchObject({ kind: 'paused', atMs: 9 });
    expect(log.events.map((event) => event.kind)).toEqual(['paused', 'resumed', 'paused']);
    await expect(log.waitFor('resumed', 0)).resolves.toMatchObject({ kind: 'resumed' });
  });
});
