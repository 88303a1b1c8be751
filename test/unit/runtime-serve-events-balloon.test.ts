/**
 * The adapter end of the protocol carries a runtime's typed events and its balloon limits in messages
 * the schema accepts. The runtime behind it is a stand-in with those facts; no VM.
 */
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { describe, expect, test } from 'vitest';
import { schemaProblem } from '../../harness/runtime/exec-adapter/schema.ts';
import { serveRuntime } from '../../harness/runtime/exec-adapter/serve.ts';
import type { BalloonControl } from '../../harness/contract/balloon.ts';
import type { VmEvent, VmEventKind } from '../../harness/contract/events.ts';
import type { Runtime, Sandbox } from '../../harness/contract/sandbox.ts';

const IO_ERROR: VmEvent<'io-error'> = { kind: 'io-error', data: { disk: 'root', operation: 'write', noSpace: true, action: 'pause' }, atMs: 40, vmmName: 'disk.write-failed' };
const PAUSED: VmEvent<'paused'> = { kind: 'paused', data: {}, atMs: 41, vmmEpochMs: 1_700_000_000_041 };

function standInSandbox(): Sandbox {
  const events: VmEvent[] = [IO_ERROR, PAUSED];
  const balloon = { limits: async () => ({ minimumMiB: 100, toleranceMiB: 8 }) } as BalloonControl;
  return {
    name: 'stand-in',
    spec: { name: 'stand-in', memoryMiB: 256, vcpus: 1 },
    state: 'paused',
    vmmPid: undefined,
    bootMs: undefined,
    events: () => events,
    waitForEvent: async <K extends VmEventKind>(kind: K) => events.find((event) => event.kind === kind) as VmEvent<K>,
    balloon: () => balloon,
    agentChannel: () => ({ protocolErrors: 0, lastProtocolError: undefined, strayReplies: 0, peakHeldChars: 0 }),
    artifacts: () => ({}),
    destroy: async () => {},
  } as unknown as Sandbox;
}

const served = {
  hello: async () => ({ runtime: { name: 'stand-in', version: '0' }, capabilities: ['balloon'], faults: [] }),
  open: async () => ({ create: async () => standInSandbox() }) as unknown as Runtime,
};

async function session(requests: { method: string; params: Record<string, unknown> }[]): Promise<Record<string, unknown>[]> {
  const input = new PassThrough();
  const output = new PassThrough();
  const serving = serveRuntime(served, input, output, () => {});
  const lines = createInterface({ input: output })[Symbol.asyncIterator]();
  const results: Record<string, unknown>[] = [];
  for (const [id, request] of requests.entries()) {
    input.write(`${JSON.stringify({ jsonrpc: '2.0', id, ...request })}\n`);
    const response = JSON.parse((await lines.next()).value as string);
    expect(response.error, request.method).toBeUndefined();
    expect(schemaProblem(`result.${request.method}`, response.result), request.method).toBeUndefined();
    results.push(response.result);
  }
  input.end();
  await serving;
  return results;
}

describe('served over the protocol', () => {
  test("events travel as kinds, and the balloon control's limits as it reports them", async () => {
    const [created, waited, limits] = await session([
      { method: 'create', params: { spec: { name: 'stand-in' } } },
      { method: 'waitForEvent', params: { sandbox: 's0', kind: 'io-error', timeoutMs: 1000 } },
      { method: 'balloon.limits', params: { sandbox: 's0', balloon: 0 } },
    ]);
    expect((created!.status as { events: unknown }).events).toEqual([IO_ERROR, PAUSED]);
    expect(waited!.event).toEqual(IO_ERROR);
    expect(limits).toMatchObject({ minimumMiB: 100, toleranceMiB: 8 });
  });
});
