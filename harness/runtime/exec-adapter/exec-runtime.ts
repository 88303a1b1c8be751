/**
 * A runtime in another process, of any language, behind the runtime protocol. Cases see an ordinary
 * Runtime and Sandbox: every call is one request; what a Sandbox answers synchronously (state, events,
 * artifacts, ...) is the status the adapter sent with its latest answer. An adapter that died or broke
 * the protocol fails the calls of the case it was serving; the next create starts a fresh one.
 */
import { ADAPTER } from './limits.ts';
import type { BalloonControl, BalloonLimits, BalloonMove, BalloonStats } from '../../contract/balloon.ts';
import type { VmEvent, VmEventKind } from '../../contract/events.ts';
import type { Accelerator } from '../../contract/run-target.ts';
import { FAULTS, type Fault } from '../../contract/faults.ts';
import type { AgentChannelReport, Capability, ConsoleLogReport, DiskImageCheck, ExecOptions, ExecResult, HostFootprint, Runtime, Sandbox, SavedStateFacts, SandboxSpec, SandboxState, SandboxTimings, VmmOverheadWatch } from '../../contract/sandbox.ts';
import type { AdapterCommand } from './adapter-command.ts';
import type { AdapterProcess } from './adapter-process.ts';
import { startAdapter, type StartedAdapter } from './handshake.ts';
import { faultName, type CreateResult, type InitializeResult, type WireStatus } from './protocol.ts';
import { fromBase64, toBase64 } from './wire.ts';

export class ExecRuntime implements Runtime {
  readonly name: string;
  readonly accelerator: Accelerator;
  readonly capabilities: ReadonlySet<Capability>;
  readonly missingOnThisHost: ReadonlyMap<Capability, string>;
  readonly faults: ReadonlySet<Fault>;

  private constructor(
    private readonly command: AdapterCommand,
    private adapter: StartedAdapter,
    fallbackAccelerator: Accelerator,
    private readonly env: NodeJS.ProcessEnv | undefined,
  ) {
    const { hello } = adapter;
    this.name = hello.runtime.name;
    this.accelerator = hello.accelerator ?? fallbackAccelerator;
    this.capabilities = new Set(hello.capabilities as Capability[]);
    this.missingOnThisHost = new Map(Object.entries(hello.missingOnThisHost ?? {}) as [Capability, string][]);
    const offered = new Set(hello.faults.map(faultName));
    this.faults = new Set(FAULTS.filter((fault) => offered.has(fault)));
  }

  /** `accelerator` is the run's, for an adapter that does not say which it uses; `env` is what the adapter is started with. */
  static async open(command: AdapterCommand, accelerator: Accelerator, env?: NodeJS.ProcessEnv): Promise<ExecRuntime> {
    return new ExecRuntime(command, await startAdapter(command, env), accelerator, env);
  }

  get hello(): InitializeResult {
    return this.adapter.hello;
  }

  async create(spec: SandboxSpec): Promise<Sandbox> {
    const unoffered = (spec.faults ?? []).filter((fault) => !this.faults.has(fault));
    if (unoffered.length > 0) throw new Error(`runtime ${this.name} does not offer fault ${unoffered.join(', ')} (its adapter lists the faults it can inject)`);
    // The adapter that served a failed case may be gone; this case gets a fresh one.
    if (!this.adapter.process.alive) this.adapter = await startAdapter(this.command, this.env);
    const created = await this.adapter.process.request<CreateResult>('create', { spec });
    return new ExecSandbox(this.adapter.process, created, this.accelerator);
  }

  async close(): Promise<void> {
    await this.adapter.process.close();
  }
}

class ExecSandbox implements Sandbox {
  readonly name: string;
  readonly spec: CreateResult['spec'];
  private readonly id: string;
  private status: WireStatus;
  private balloons = 0;

  constructor(
    private readonly adapter: AdapterProcess,
    created: CreateResult,
    readonly accelerator: Accelerator,
  ) {
    this.id = created.sandbox;
    this.spec = created.spec;
    this.name = created.spec.name;
    this.status = created.status;
  }

  get state(): SandboxState {
    return this.status.state;
  }
  get vmmPid(): number | undefined {
    return this.status.vmmPid;
  }
  get bootMs(): number | undefined {
    return this.status.bootMs;
  }
  get restoreFallback(): string | undefined {
    return this.status.restoreFallback;
  }
  get restoreReseed(): string | undefined {
    return this.status.restoreReseed;
  }
  get restoredFrom(): SavedStateFacts | undefined {
    return this.status.restoredFrom;
  }
  timings(): SandboxTimings {
    return this.status.timings ?? { boots: [], execRoundTripsMs: [] };
  }

  /** One request about this sandbox; the status it carries becomes the sandbox's. */
  async call<T extends object>(method: string, params: Record<string, unknown> = {}, deadlineMs?: number): Promise<T> {
    const result = await this.adapter.request<T & { status?: WireStatus }>(method, { sandbox: this.id, ...params }, deadlineMs);
    if (result.status) this.status = result.status;
    return result;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const result = await this.call<{ exitCode: number; stdout: string; stderr: string; timedOut: boolean; truncated: boolean; durationMs: number }>('exec', {
      command,
      ...(options.env && { env: options.env }),
      ...(options.timeoutSeconds !== undefined && { timeoutSeconds: options.timeoutSeconds }),
      ...(options.stdin !== undefined && { stdin: toBase64(options.stdin) }),
      ...(options.outputLimitBytes !== undefined && { outputLimitBytes: options.outputLimitBytes }),
    });
    return { ...result, stdout: fromBase64(result.stdout), stderr: fromBase64(result.stderr) };
  }

  async upload(guestPath: string, data: Uint8Array): Promise<void> {
    await this.call('upload', { guestPath, data: toBase64(data) });
  }

  async download(guestPath: string): Promise<Buffer> {
    return fromBase64((await this.call<{ data: string }>('download', { guestPath })).data);
  }

  balloon(): BalloonControl | undefined {
    return this.status.hasBalloon ? new ExecBalloonControl(this, this.balloons++) : undefined;
  }

  async hostFootprint(): Promise<HostFootprint> {
    const { files, totalBytes } = await this.call<HostFootprint>('footprint');
    return { files, totalBytes };
  }

  async checkDiskConsistency(): Promise<DiskImageCheck[]> {
    return (await this.call<{ checks: DiskImageCheck[] }>('diskCheck')).checks;
  }

  async vmmMemoryBytes(): Promise<number> {
    return (await this.call<{ bytes: number }>('vmmMemory')).bytes;
  }

  async vmmOverhead(): Promise<VmmOverheadWatch> {
    const { samples, peakBytes, longestGapMs, points } = await this.call<VmmOverheadWatch>('vmmOverhead');
    return { samples, peakBytes, longestGapMs, points };
  }

  events(): readonly VmEvent[] {
    return this.status.events;
  }

  async waitForEvent<K extends VmEventKind>(kind: K, timeoutMs: number): Promise<VmEvent<K>> {
    return (await this.call<{ event: VmEvent<K> }>('waitForEvent', { kind, timeoutMs })).event;
  }

  async freezeGuest(frozen: boolean): Promise<void> {
    await this.call('freezeGuest', { frozen });
  }

  async resume(): Promise<void> {
    await this.call('resume');
  }

  async setHostStorageFull(full: boolean): Promise<void> {
    await this.call('setHostStorageFull', { full });
  }

  async reconnectAgent(): Promise<void> {
    await this.call('reconnectAgent');
  }

  async stop(): Promise<void> {
    await this.call('stop');
  }

  async start(): Promise<void> {
    await this.call('start');
  }

  /** An adapter that died took its VMMs along (they were in its process group): nothing is left to destroy. */
  async destroy(): Promise<void> {
    if (!this.adapter.alive) {
      this.status = { ...this.status, state: 'destroyed' };
      return;
    }
    await this.call('destroy', {}, ADAPTER.teardownDeadlineMs);
  }

  async leftovers(): Promise<string[]> {
    return (await this.call<{ leftovers: string[] }>('leftovers', {}, ADAPTER.teardownDeadlineMs)).leftovers;
  }

  artifacts(): Record<string, string> {
    return this.status.artifacts;
  }

  async consoleTail(lines?: number): Promise<string> {
    return (await this.call<{ text: string }>('consoleTail', lines === undefined ? {} : { lines })).text;
  }

  async consoleLog(): Promise<ConsoleLogReport> {
    const { keptBytes, receivedBytes } = await this.call<{ keptBytes: number; receivedBytes?: number }>('consoleLog');
    return { keptBytes, receivedBytes };
  }

  agentChannel(): AgentChannelReport {
    const { lastProtocolError, ...counts } = this.status.agentChannel;
    return { ...counts, lastProtocolError: lastProtocolError === undefined ? undefined : new Error(lastProtocolError) };
  }
}

class ExecBalloonControl implements BalloonControl {
  constructor(
    private readonly sandbox: ExecSandbox,
    private readonly id: number,
  ) {}

  private call<T extends object>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return this.sandbox.call<T>(`balloon.${method}`, { balloon: this.id, ...params });
  }

  async limits(): Promise<BalloonLimits> {
    const { minimumMiB, toleranceMiB } = await this.call<BalloonLimits>('limits');
    return { minimumMiB, toleranceMiB };
  }
  async connect(): Promise<void> {
    await this.call('connect');
  }
  async close(): Promise<void> {
    await this.call('close');
  }
  async query(): Promise<number> {
    return (await this.call<{ actualMiB: number }>('query')).actualMiB;
  }
  async setTarget(targetMiB: number): Promise<void> {
    await this.call('setTarget', { targetMiB });
  }
  async inflate(targetMiB: number): Promise<number> {
    return (await this.call<{ beforeMiB: number }>('inflate', { targetMiB })).beforeMiB;
  }
  async deflate(targetMiB: number): Promise<number> {
    return (await this.call<{ beforeMiB: number }>('deflate', { targetMiB })).beforeMiB;
  }
  async stats(): Promise<BalloonStats> {
    return (await this.call<{ stats: BalloonStats }>('stats')).stats;
  }
  async moves(): Promise<BalloonMove[]> {
    return (await this.call<{ moves: BalloonMove[] }>('moves')).moves;
  }
}
