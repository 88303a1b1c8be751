/** How a sandbox's synchronous facts and a runtime's errors cross the protocol, on both sides. */
import { BalloonError, BalloonNotConnectedError, BalloonTimeoutError } from '../../contract/balloon-errors.ts';
import { GuestNoAnswerError } from '../../contract/exec-errors.ts';
import { SandboxCreateError } from '../../contract/create-error.ts';
import type { Sandbox } from '../../contract/sandbox.ts';
import { ERROR_CODES, type WireError, type WireErrorType, type WireStatus } from './protocol.ts';

export function statusOf(sandbox: Sandbox): WireStatus {
  const channel = sandbox.agentChannel();
  const timings = sandbox.timings?.();
  return {
    state: sandbox.state,
    ...(sandbox.vmmPid !== undefined && { vmmPid: sandbox.vmmPid }),
    ...(sandbox.bootMs !== undefined && { bootMs: sandbox.bootMs }),
    ...(sandbox.restoreFallback !== undefined && { restoreFallback: sandbox.restoreFallback }),
    ...(sandbox.restoreReseed !== undefined && { restoreReseed: sandbox.restoreReseed }),
    ...(sandbox.restoredFrom !== undefined && { restoredFrom: { ...sandbox.restoredFrom } }),
    hasBalloon: sandbox.spec.balloon !== false,
    events: sandbox.events().map((event) => ({ ...event })),
    agentChannel: {
      protocolErrors: channel.protocolErrors,
      ...(channel.lastProtocolError && { lastProtocolError: channel.lastProtocolError.message }),
      strayReplies: channel.strayReplies,
      peakHeldChars: channel.peakHeldChars,
    },
    artifacts: sandbox.artifacts(),
    ...(timings && { timings: { boots: [...timings.boots], execRoundTripsMs: [...timings.execRoundTripsMs] } }),
  };
}

export function errorToWire(error: unknown): WireError {
  const known = error instanceof Error ? error : new Error(String(error));
  const type: WireErrorType =
    known instanceof SandboxCreateError ? 'SandboxCreateError'
    : known instanceof BalloonNotConnectedError ? 'BalloonNotConnectedError'
    : known instanceof BalloonTimeoutError ? 'BalloonTimeoutError'
    : known instanceof BalloonError ? 'BalloonError'
    : known instanceof GuestNoAnswerError ? 'GuestNoAnswerError'
    : 'Error';
  // A create error's message already names its leftovers; the bare message travels so the harness does not name them twice.
  const message = known instanceof SandboxCreateError ? known.message.split('\n(and destroying it left behind')[0]! : known.message;
  return {
    code: ERROR_CODES.operationFailed,
    message,
    data: { type, ...(known instanceof SandboxCreateError && { leftovers: [...known.leftovers] }) },
  };
}

/** The error a case would have seen in process, rebuilt from the wire. */
export function errorFromWire(wire: WireError, method: string): Error {
  switch (wire.data?.type) {
    case 'SandboxCreateError':
      return new SandboxCreateError(wire.message, wire.data.leftovers ?? []);
    case 'BalloonNotConnectedError':
      return Object.assign(new BalloonNotConnectedError(method), { message: wire.message });
    case 'BalloonTimeoutError':
      return new BalloonTimeoutError(wire.message);
    case 'BalloonError':
      return new BalloonError(wire.message);
    case 'GuestNoAnswerError':
      return new GuestNoAnswerError(wire.message);
    default:
      return wire.code === ERROR_CODES.operationFailed ? new Error(wire.message) : new AdapterProtocolError(`adapter answered ${method} with error ${wire.code}: ${wire.message}`);
  }
}

/** The adapter broke the protocol (crash, garbage, a message the schema refuses, a protocol-level error). */
export class AdapterProtocolError extends Error {
  override name = 'AdapterProtocolError';
}

/** A result the schema refuses, seen by `runtime check`, which goes on with the adapter. */
export class AdapterSchemaError extends AdapterProtocolError {
  override name = 'AdapterSchemaError';
}

/** A deadline passed, seen by `runtime check`, which goes on with the adapter. */
export class AdapterTimeoutError extends AdapterProtocolError {
  override name = 'AdapterTimeoutError';
}

export function toBase64(data: Uint8Array | string): string {
  return Buffer.from(data).toString('base64');
}

export function fromBase64(text: string): Buffer {
  return Buffer.from(text, 'base64');
}
