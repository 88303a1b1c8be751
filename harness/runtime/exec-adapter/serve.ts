/**
 * The adapter end of the runtime protocol for a runtime written in TypeScript: reads requests on
 * `input`, answers on `output`, one line each, and drives the runtime's own Runtime and Sandbox. The
 * served QEMU runtime (`gauntlet runtime serve qemu`) is this over the in-process QEMU runtime, and
 * the worked example of docs/runtime-protocol.md. Requests are handled as they come, concurrently, as
 * a case may exec while it moves the balloon.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { BalloonControl } from '../contract/balloon.ts';
import type { VmEventKind } from '../contract/events.ts';
import type { Runtime, Sandbox } from '../contract/sandbox.ts';
import { ERROR_CODES, faultName, SUPPORTED_PROTOCOL_VERSIONS, type InitializeResult, type Request, type WireError } from './protocol.ts';
import { knownMethod, schemaProblem } from './schema.ts';
import { errorToWire, fromBase64, statusOf, toBase64 } from './wire.ts';

/** What an adapter says about itself before any VM, and how it makes its runtime once a VM is wanted. */
export interface ServedRuntime {
  hello(): Promise<Omit<InitializeResult, 'protocolVersion'>>;
  /** Made on the first create: the handshake must work before the run is prepared (the preflight). */
  open(): Promise<Runtime>;
}

type Params = Record<string, unknown>;
type Handler = (params: Params) => Promise<Record<string, unknown>>;

class ProtocolFailure extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
  }
}

export async function serveRuntime(served: ServedRuntime, input: Readable, output: Writable, log: (line: string) => void): Promise<void> {
  const sandboxes = new Map<string, Sandbox>();
  const balloons = new Map<string, BalloonControl>();
  let runtime: Promise<Runtime> | undefined;
  let offeredFaults: ReadonlySet<string> = new Set();
  let created = 0;

  const sandboxOf = (params: Params): Sandbox => {
    const sandbox = sandboxes.get(params.sandbox as string);
    if (!sandbox) throw new ProtocolFailure({ code: ERROR_CODES.invalidParams, message: `no sandbox ${String(params.sandbox)}` });
    return sandbox;
  };
  const balloonOf = (params: Params): BalloonControl => {
    const sandbox = sandboxOf(params);
    const key = `${params.sandbox}/${params.balloon}`;
    let control = balloons.get(key);
    if (!control) {
      control = sandbox.balloon();
      if (!control) throw new ProtocolFailure({ code: ERROR_CODES.invalidParams, message: `sandbox ${params.sandbox} has no balloon` });
      balloons.set(key, control);
    }
    return control;
  };
  /** A sandbox call whose answer is just the status after it. */
  const onSandbox =
    (act: (sandbox: Sandbox, params: Params) => Promise<Record<string, unknown> | void>): Handler =>
    async (params) => {
      const sandbox = sandboxOf(params);
      const extra = (await act(sandbox, params)) ?? {};
      return { ...extra, status: statusOf(sandbox) };
    };
  const onBalloon = (act: (control: BalloonControl, params: Params) => Promise<Record<string, unknown> | void>): Handler =>
    onSandbox(async (_sandbox, params) => act(balloonOf(params), params));

  const handlers: Record<string, Handler> = {
    initialize: async (params) => {
      const asked = params.protocolVersion as number;
      const version = [...SUPPORTED_PROTOCOL_VERSIONS].filter((v) => v <= asked).pop();
      if (version === undefined) {
        throw new ProtocolFailure({
          code: ERROR_CODES.unsupportedProtocolVersion,
          message: `this adapter speaks runtime protocol ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}, not ${asked}`,
          data: { type: 'UnsupportedProtocolVersion', supportedVersions: [...SUPPORTED_PROTOCOL_VERSIONS] },
        });
      }
      const hello = await served.hello();
      offeredFaults = new Set(hello.faults.map(faultName));
      return { protocolVersion: version, ...hello };
    },
    create: async (params) => {
      const spec = params.spec as Parameters<Runtime['create']>[0];
      const unknown = (spec.faults ?? []).filter((fault) => !offeredFaults.has(fault));
      if (unknown.length > 0) throw new ProtocolFailure({ code: ERROR_CODES.invalidParams, message: `fault ${unknown.join(', ')} is not offered by this adapter` });
      runtime ??= served.open();
      const sandbox = await (await runtime).create(spec);
      const id = `s${created++}`;
      sandboxes.set(id, sandbox);
      return { sandbox: id, spec: sandbox.spec, status: statusOf(sandbox) };
    },
    exec: onSandbox(async (sandbox, params) => {
      const result = await sandbox.exec(params.command as string, {
        env: params.env as Record<string, string> | undefined,
        timeoutSeconds: params.timeoutSeconds as number | undefined,
        stdin: params.stdin === undefined ? undefined : fromBase64(params.stdin as string),
        outputLimitBytes: params.outputLimitBytes as number | undefined,
      });
      return { ...result, stdout: toBase64(result.stdout), stderr: toBase64(result.stderr) };
    }),
    upload: onSandbox((sandbox, params) => sandbox.upload(params.guestPath as string, fromBase64(params.data as string))),
    download: onSandbox(async (sandbox, params) => ({ data: toBase64(await sandbox.download(params.guestPath as string)) })),
    'balloon.connect': onBalloon((control) => control.connect()),
    'balloon.limits': onBalloon(async (control) => ({ ...(await control.limits()) })),
    'balloon.close': onBalloon((control) => control.close()),
    'balloon.query': onBalloon(async (control) => ({ actualMiB: await control.query() })),
    'balloon.setTarget': onBalloon((control, params) => control.setTarget(params.targetMiB as number)),
    'balloon.inflate': onBalloon(async (control, params) => ({ beforeMiB: await control.inflate(params.targetMiB as number) })),
    'balloon.deflate': onBalloon(async (control, params) => ({ beforeMiB: await control.deflate(params.targetMiB as number) })),
    'balloon.stats': onBalloon(async (control) => ({ stats: await control.stats() })),
    'balloon.moves': onBalloon(async (control) => ({ moves: (await control.moves?.()) ?? [] })),
    footprint: onSandbox(async (sandbox) => ({ ...(await sandbox.hostFootprint()) })),
    diskCheck: onSandbox(async (sandbox) => ({ checks: await sandbox.checkDiskConsistency() })),
    vmmMemory: onSandbox(async (sandbox) => ({ bytes: await sandbox.vmmMemoryBytes() })),
    events: onSandbox(async (sandbox) => ({ events: [...sandbox.events()] })),
    waitForEvent: onSandbox(async (sandbox, params) => ({ event: await sandbox.waitForEvent(params.kind as VmEventKind, params.timeoutMs as number) })),
    setHostStorageFull: onSandbox((sandbox, params) => sandbox.setHostStorageFull(params.full as boolean)),
    resume: onSandbox((sandbox) => sandbox.resume()),
    reconnectAgent: onSandbox((sandbox) => sandbox.reconnectAgent()),
    consoleTail: onSandbox(async (sandbox, params) => ({ text: await sandbox.consoleTail(params.lines as number | undefined) })),
    consoleLog: onSandbox(async (sandbox) => {
      const { keptBytes, receivedBytes } = await sandbox.consoleLog();
      return { keptBytes, ...(receivedBytes !== undefined && { receivedBytes }) };
    }),
    stop: onSandbox((sandbox) => sandbox.stop()),
    start: onSandbox((sandbox) => sandbox.start()),
    destroy: onSandbox((sandbox) => sandbox.destroy()),
    leftovers: async (params) => ({ leftovers: await sandboxOf(params).leftovers() }),
  };

  const send = (message: object): void => void output.write(`${JSON.stringify(message)}\n`);
  const answer = async (line: string): Promise<void> => {
    let request: Request;
    try {
      request = JSON.parse(line) as Request;
    } catch {
      return send({ jsonrpc: '2.0', id: null, error: { code: ERROR_CODES.parseError, message: 'not JSON' } });
    }
    const envelope = schemaProblem('request', request);
    if (envelope) return send({ jsonrpc: '2.0', id: typeof request?.id === 'number' ? request.id : null, error: { code: ERROR_CODES.invalidRequest, message: envelope } });
    const handler = handlers[request.method];
    if (!handler || !knownMethod(request.method)) return send({ jsonrpc: '2.0', id: request.id, error: { code: ERROR_CODES.methodNotFound, message: `no method ${request.method}` } });
    const params = request.params ?? {};
    const invalid = schemaProblem(`params.${request.method}`, params);
    if (invalid) return send({ jsonrpc: '2.0', id: request.id, error: { code: ERROR_CODES.invalidParams, message: invalid } });
    try {
      send({ jsonrpc: '2.0', id: request.id, result: await handler(params) });
    } catch (error) {
      log(`${request.method} failed: ${(error as Error).message}`);
      send({ jsonrpc: '2.0', id: request.id, error: error instanceof ProtocolFailure ? error.wire : errorToWire(error) });
    }
  };

  const inFlight = new Set<Promise<void>>();
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const handled = answer(line).finally(() => inFlight.delete(handled));
    inFlight.add(handled);
  }
  // stdin closed: the harness is done (or gone). Nothing of ours may outlive it.
  await Promise.allSettled(inFlight);
  await Promise.allSettled([...sandboxes.values()].filter((sandbox) => sandbox.state !== 'destroyed').map((sandbox) => sandbox.destroy()));
}
