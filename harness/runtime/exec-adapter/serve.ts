/**
 * The adapter end of the runtime protocol for a runtime written in TypeScript: reads requests on
 * `input`, answers on `output`, one line each, and drives the runtime's own Runtime and Sandbox. The
 * served reference runtime (`gauntlet runtime serve qemu`) is this over the in-process one, and
 * the worked example of docs/runtime-protocol.md. Requests are handled as they come, concurrently, as
 * a case may exec while it moves the balloon.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { BalloonControl } from '../../contract/balloon.ts';
import type { VmEventKind } from '../../contract/events.ts';
import type { Runtime, Sandbox } from '../../contract/sandbox.ts';
import { ERROR_CODES, faultName, SUPPORTED_PROTOCOL_VERSIONS, type InitializeResult, type Method, type Request, type WireError } from './protocol.ts';
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
  const session = new ServedSession(served);
  const send = (message: object): void => void output.write(`${JSON.stringify(message)}\n`);
  const inFlight = new Set<Promise<void>>();
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const handled = answer(line, session.handlers, send, log).finally(() => inFlight.delete(handled));
    inFlight.add(handled);
  }
  // stdin closed: the harness is done (or gone). Nothing of ours may outlive it.
  await Promise.allSettled(inFlight);
  await session.destroyAll();
}

/** One request line answered: parse, check against the schema, dispatch, and the result or the error sent back. */
async function answer(line: string, handlers: Record<Method, Handler>, send: (message: object) => void, log: (line: string) => void): Promise<void> {
  let request: Request;
  try {
    request = JSON.parse(line) as Request;
  } catch {
    return send({ jsonrpc: '2.0', id: null, error: { code: ERROR_CODES.parseError, message: 'not JSON' } });
  }
  const envelope = schemaProblem('request', request);
  if (envelope) return send({ jsonrpc: '2.0', id: typeof request?.id === 'number' ? request.id : null, error: { code: ERROR_CODES.invalidRequest, message: envelope } });
  const handler = knownMethod(request.method) ? handlers[request.method as Method] : undefined;
  if (!handler) return send({ jsonrpc: '2.0', id: request.id, error: { code: ERROR_CODES.methodNotFound, message: `no method ${request.method}` } });
  const params = request.params ?? {};
  const invalid = schemaProblem(`params.${request.method}`, params);
  if (invalid) return send({ jsonrpc: '2.0', id: request.id, error: { code: ERROR_CODES.invalidParams, message: invalid } });
  try {
    send({ jsonrpc: '2.0', id: request.id, result: await handler(params) });
  } catch (error) {
    log(`${request.method} failed: ${(error as Error).message}`);
    send({ jsonrpc: '2.0', id: request.id, error: error instanceof ProtocolFailure ? error.wire : errorToWire(error) });
  }
}

/** The sandboxes and balloon controls one adapter process serves, and a handler for every method (the compiler checks none is missing). */
class ServedSession {
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly balloons = new Map<string, BalloonControl>();
  private runtime: Promise<Runtime> | undefined;
  private offeredFaults: ReadonlySet<string> = new Set();
  private created = 0;
  readonly handlers: Record<Method, Handler>;

  constructor(private readonly served: ServedRuntime) {
    this.handlers = this.methodHandlers();
  }

  destroyAll(): Promise<unknown> {
    return Promise.allSettled([...this.sandboxes.values()].filter((sandbox) => sandbox.state !== 'destroyed').map((sandbox) => sandbox.destroy()));
  }

  private sandboxOf(params: Params): Sandbox {
    const sandbox = this.sandboxes.get(params.sandbox as string);
    if (!sandbox) throw new ProtocolFailure({ code: ERROR_CODES.invalidParams, message: `no sandbox ${String(params.sandbox)}` });
    return sandbox;
  }

  private balloonOf(params: Params): BalloonControl {
    const sandbox = this.sandboxOf(params);
    const key = `${params.sandbox}/${params.balloon}`;
    let control = this.balloons.get(key);
    if (!control) {
      control = sandbox.balloon();
      if (!control) throw new ProtocolFailure({ code: ERROR_CODES.invalidParams, message: `sandbox ${params.sandbox} has no balloon` });
      this.balloons.set(key, control);
    }
    return control;
  }

  /** A sandbox call whose answer is just the status after it. */
  private onSandbox(act: (sandbox: Sandbox, params: Params) => Promise<Record<string, unknown> | void>): Handler {
    return async (params) => {
      const sandbox = this.sandboxOf(params);
      const extra = (await act(sandbox, params)) ?? {};
      return { ...extra, status: statusOf(sandbox) };
    };
  }

  private onBalloon(act: (control: BalloonControl, params: Params) => Promise<Record<string, unknown> | void>): Handler {
    return this.onSandbox(async (_sandbox, params) => act(this.balloonOf(params), params));
  }

  private methodHandlers(): Record<Method, Handler> {
    return {
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
        const hello = await this.served.hello();
        this.offeredFaults = new Set(hello.faults.map(faultName));
        return { protocolVersion: version, ...hello };
      },
      create: async (params) => {
        const spec = params.spec as Parameters<Runtime['create']>[0];
        const unknown = (spec.faults ?? []).filter((fault) => !this.offeredFaults.has(fault));
        if (unknown.length > 0) throw new ProtocolFailure({ code: ERROR_CODES.invalidParams, message: `fault ${unknown.join(', ')} is not offered by this adapter` });
        this.runtime ??= this.served.open();
        const sandbox = await (await this.runtime).create(spec);
        const id = `s${this.created++}`;
        this.sandboxes.set(id, sandbox);
        return { sandbox: id, spec: sandbox.spec, status: statusOf(sandbox) };
      },
      exec: this.onSandbox(async (sandbox, params) => {
        const result = await sandbox.exec(params.command as string, {
          env: params.env as Record<string, string> | undefined,
          timeoutSeconds: params.timeoutSeconds as number | undefined,
          stdin: params.stdin === undefined ? undefined : fromBase64(params.stdin as string),
          outputLimitBytes: params.outputLimitBytes as number | undefined,
        });
        return { ...result, stdout: toBase64(result.stdout), stderr: toBase64(result.stderr) };
      }),
      upload: this.onSandbox((sandbox, params) => sandbox.upload(params.guestPath as string, fromBase64(params.data as string))),
      download: this.onSandbox(async (sandbox, params) => ({ data: toBase64(await sandbox.download(params.guestPath as string)) })),
      'balloon.connect': this.onBalloon((control) => control.connect()),
      'balloon.limits': this.onBalloon(async (control) => ({ ...(await control.limits()) })),
      'balloon.close': this.onBalloon((control) => control.close()),
      'balloon.query': this.onBalloon(async (control) => ({ actualMiB: await control.query() })),
      'balloon.setTarget': this.onBalloon((control, params) => control.setTarget(params.targetMiB as number)),
      'balloon.inflate': this.onBalloon(async (control, params) => ({ beforeMiB: await control.inflate(params.targetMiB as number) })),
      'balloon.deflate': this.onBalloon(async (control, params) => ({ beforeMiB: await control.deflate(params.targetMiB as number) })),
      'balloon.stats': this.onBalloon(async (control) => ({ stats: await control.stats() })),
      'balloon.moves': this.onBalloon(async (control) => ({ moves: (await control.moves?.()) ?? [] })),
      footprint: this.onSandbox(async (sandbox) => ({ ...(await sandbox.hostFootprint()) })),
      diskCheck: this.onSandbox(async (sandbox) => ({ checks: await sandbox.checkDiskConsistency() })),
      vmmMemory: this.onSandbox(async (sandbox) => ({ bytes: await sandbox.vmmMemoryBytes() })),
      vmmOverhead: this.onSandbox(async (sandbox) => ({ ...(await sandbox.vmmOverhead()) })),
      events: this.onSandbox(async (sandbox) => ({ events: [...sandbox.events()] })),
      waitForEvent: this.onSandbox(async (sandbox, params) => ({ event: await sandbox.waitForEvent(params.kind as VmEventKind, params.timeoutMs as number) })),
      setHostStorageFull: this.onSandbox((sandbox, params) => sandbox.setHostStorageFull(params.full as boolean)),
      freezeGuest: this.onSandbox((sandbox, params) => sandbox.freezeGuest(params.frozen as boolean)),
      resume: this.onSandbox((sandbox) => sandbox.resume()),
      reconnectAgent: this.onSandbox((sandbox) => sandbox.reconnectAgent()),
      consoleTail: this.onSandbox(async (sandbox, params) => ({ text: await sandbox.consoleTail(params.lines as number | undefined) })),
      consoleLog: this.onSandbox(async (sandbox) => {
        const { keptBytes, receivedBytes } = await sandbox.consoleLog();
        return { keptBytes, ...(receivedBytes !== undefined && { receivedBytes }) };
      }),
      stop: this.onSandbox((sandbox) => sandbox.stop()),
      start: this.onSandbox((sandbox) => sandbox.start()),
      destroy: this.onSandbox((sandbox) => sandbox.destroy()),
      leftovers: async (params) => ({ leftovers: await this.sandboxOf(params).leftovers() }),
    };
  }
}
