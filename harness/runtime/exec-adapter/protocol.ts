/**
 * The runtime protocol: JSON-RPC 2.0, one message a line, harness → adapter requests and adapter →
 * harness responses. docs/runtime-protocol.md describes it; docs/runtime-protocol.schema.json is what
 * both sides validate every message against. These types mirror that schema for the TypeScript sides.
 */
import type { BalloonMove, BalloonStats } from '../../contract/balloon.ts';
import type { VmEvent } from '../../contract/events.ts';
import type { Accelerator } from '../../contract/run-target.ts';
import type { BootTimeline, DiskImageCheck, SavedStateFacts, SandboxSpec, SandboxState } from '../../contract/sandbox.ts';

/** Versions this harness speaks; the adapter answers initialize with the one it chose. */
export const PROTOCOL_VERSION = 2;
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [2];

/**
 * What each version changed, for the one line an adapter of an older version gets. A stricter schema
 * or a new required method is a new version: an adapter written against the old one would otherwise
 * fail case by case on messages it was never told about.
 */
export const PROTOCOL_CHANGES: Readonly<Record<number, string>> = {
  2: "the spec's balloon, disk, agent, hostile and restore are defined key by key (unknown keys refused), and initialize.faults may declare the adapter's own faults as {name, turnsRed, about}",
};

/** Every method a run may send, in the order a run first sends them (docs/runtime-protocol.md). */
export const METHODS = [
  'initialize',
  'create',
  'exec',
  'upload',
  'download',
  'balloon.limits',
  'balloon.connect',
  'balloon.query',
  'balloon.setTarget',
  'balloon.inflate',
  'balloon.deflate',
  'balloon.stats',
  'balloon.moves',
  'balloon.close',
  'footprint',
  'diskCheck',
  'vmmMemory',
  'vmmOverhead',
  'events',
  'waitForEvent',
  'setHostStorageFull',
  'freezeGuest',
  'resume',
  'reconnectAgent',
  'consoleTail',
  'consoleLog',
  'stop',
  'start',
  'destroy',
  'leftovers',
] as const;
export type Method = (typeof METHODS)[number];

/** JSON-RPC's own codes, and ours above -32000 for a runtime's failures. */
export const ERROR_CODES = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  /** The operation ran and failed (a VM that never got ready, a balloon that never got there, ...). */
  operationFailed: -32000,
  unsupportedProtocolVersion: -32001,
} as const;

/** Which error the harness rebuilds on its side, so cases tell failures apart as they do in process. */
export type WireErrorType = 'Error' | 'SandboxCreateError' | 'BalloonError' | 'BalloonNotConnectedError' | 'BalloonTimeoutError' | 'GuestNoAnswerError' | 'UnsupportedProtocolVersion';

export interface WireError {
  code: number;
  message: string;
  data?: { type?: WireErrorType; leftovers?: string[]; supportedVersions?: number[] };
}

export interface Request {
  jsonrpc: '2.0';
  id: number;
  method: string;
  params?: Record<string, unknown>;
}

export type Response = { jsonrpc: '2.0'; id: number | null; result: Record<string, unknown> } | { jsonrpc: '2.0'; id: number | null; error: WireError };

export interface InitializeResult {
  protocolVersion: number;
  runtime: { name: string; version: string };
  vmm?: { name: string; version: string };
  accelerator?: Accelerator;
  /** Why this accelerator (a probe's verdict, a fallback); the run reports it as the accelerator's reason. */
  acceleratorReason?: string;
  capabilities: string[];
  missingOnThisHost?: Record<string, string>;
  faults: OfferedFault[];
}

/** A fault of the harness's catalogue by name, or one the adapter declares with the cases it turns red. */
export type OfferedFault = string | DeclaredFault;

export interface DeclaredFault {
  name: string;
  /** `group/case-id` of docs/cases.md: the cases whose checks must fail with the fault injected. */
  turnsRed: string[];
  about: string;
}

export function faultName(fault: OfferedFault): string {
  return typeof fault === 'string' ? fault : fault.name;
}

/** What the harness reads of a sandbox without asking; every sandbox-scoped result carries it. */
export interface WireStatus {
  state: SandboxState;
  vmmPid?: number;
  bootMs?: number;
  restoreFallback?: string;
  restoreReseed?: string;
  restoredFrom?: SavedStateFacts;
  hasBalloon: boolean;
  events: VmEvent[];
  agentChannel: { protocolErrors: number; lastProtocolError?: string; strayReplies: number; peakHeldChars: number };
  artifacts: Record<string, string>;
  timings?: { boots: BootTimeline[]; execRoundTripsMs: number[] };
}

export interface CreateResult {
  sandbox: string;
  spec: SandboxSpec & { memoryMiB: number; vcpus: number };
  status: WireStatus;
}

export type { BalloonMove, BalloonStats, DiskImageCheck };
