/**
 * One QEMU microVM. This object owns the VMM process: it boots it, talks to it (QMP and the guest
 * agent), stops and starts it on the same disk, and on destroy kills it, removes every file it made
 * and checks that nothing is left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { allocatedBytes } from '../../host/allocated-bytes.ts';
import { AgentChannelError, AgentClient } from '../../channel/agent-client.ts';
import { GuestNoAnswerError } from '../../contract/exec-errors.ts';
import { QmpClient, type QmpEvent } from './qmp-client.ts';
import { AGENT, BOOT, deadlineMs } from '../../config/constants.ts';
import { FAULT_SHAPES, GUEST, SHUTDOWN } from './tuning.ts';
import type { BalloonControl } from '../../contract/balloon.ts';
import type { VmEvent, VmEventKind } from '../../contract/events.ts';
import type { Fault } from '../../contract/faults.ts';
import type { Accelerator } from '../../contract/run-target.ts';
import type { AgentChannelReport, ConsoleLogReport, DiskImageCheck, ExecOptions, ExecResult, HostFootprint, Sandbox, SandboxSpec, SandboxState, BootTimeline, SandboxTimings, SavedStateFacts, VmmOverheadWatch } from '../../contract/sandbox.ts';
import { QemuBalloonControl } from './balloon-control.ts';
import { AGENT_PORT_DEVICE_ID, type VmPaths } from './command-line.ts';
import { makeFifo } from '../../host/fifo.ts';
import { ConsoleCapture, keptLogBytes, logTail, previousSegment, removeLog } from './console-log.ts';
import { checkDiskImages } from './disk-check.ts';
import { FirstOutputWatch } from './first-output.ts';
import { setHostStorageFull } from './host-storage.ts';
import { createEmptyDisk, createOverlay, createVmFiles, qemuImgBinary } from './vm-files.ts';
import { processExists } from '../../host/process-exists.ts';
import { shellQuote } from '../../text/shell-quote.ts';
import { VmEventLog } from './vm-events.ts';
import { resolveSpec, vmCommandLine, type ResolvedSpec, type VmTarget } from './vm-shape.ts';
import { VmmProcess } from './vmm-process.ts';
import { clockSetCommand, reseedCommand, RESTORE_RESEED } from './restored-guest.ts';
import { keepOverlay, loadVmState, saveVmState, type SavedVmState } from './snapshot.ts';
import { vmmResidentBytes } from './vmm-memory.ts';
import { overheadLookTicks, vmmOverheadWatcher } from './vmm-overhead.ts';
import { thisHost } from '../../host/platform.ts';

export interface QemuVmContext extends VmTarget {
  qemuBinary: string;
  /** Read-only qcow2 base for this VM's root disk (already sized for the spec). */
  rootBase: string;
  vmDir: string;
  /** Where a destroyed VM's overlay goes under the overlay-leak fault, so the run sweep still finds it. */
  leakDir: string;
  /** Start from this saved state instead of booting. */
  restoreFrom?: SavedVmState;
  /** Why the VM boots although its spec asked to be restored. */
  restoreFallback?: string;
}

export class QemuVm implements Sandbox {
  readonly spec: ResolvedSpec;
  private current: SandboxState = 'created';
  private vmm: VmmProcess | undefined;
  private qmp: QmpClient | undefined;
  private agent: AgentClient | undefined;
  private console: ConsoleCapture | undefined;
  private paths: VmPaths | undefined;
  private lastBootMs: number | undefined;
  /** What the save recorded of the state this VM was restored from. */
  private savedFacts: SavedStateFacts | undefined;
  /** freezeGuest(true): the VMM's pause that follows is the frozen guest's, not one the VM is counted paused for. */
  private guestFrozen = false;
  private lastPid: number | undefined;
  /** Fault exec-gives-up-after-no-answer: an exec went unanswered, and every later one is refused. */
  private gaveUp = false;
  /** Fault destroy-orphans-helper: held here, and never ended by destroy. */
  private consoleCopier: ChildProcess | undefined;
  private readonly eventLog = new VmEventLog();
  private readonly boots: BootTimeline[] = [];
  private readonly execRoundTripsMs: number[] = [];

  private readonly createdAt = Date.now();
  private overheadWatched = false;
  /** What the watch saw (or why it could not), kept at destroy, when the watch itself is let go. */
  private finalOverhead: Promise<VmmOverheadWatch> | undefined;

  constructor(
    spec: SandboxSpec,
    private readonly context: QemuVmContext,
  ) {
    this.spec = resolveSpec(spec);
  }

  get name(): string {
    return this.spec.name;
  }

  get state(): SandboxState {
    if ((this.current === 'running' || this.current === 'paused') && this.vmm && !this.vmm.alive) return 'stopped';
    return this.current;
  }

  get vmmPid(): number | undefined {
    return this.vmm?.pid;
  }

  get bootMs(): number | undefined {
    return this.lastBootMs;
  }

  get accelerator(): Accelerator {
    return this.context.accel;
  }

  get restoreFallback(): string | undefined {
    return this.context.restoreFallback;
  }

  get restoredFrom(): SavedStateFacts | undefined {
    return this.savedFacts;
  }

  get restoreReseed(): string | undefined {
    return this.context.restoreFrom && !this.faults.has('restore-skips-reseed') ? RESTORE_RESEED : undefined;
  }

  private get faults(): Set<Fault> {
    return new Set(this.spec.faults ?? []);
  }

  /** The saved state this VM starts from; none under restore-boots-cold, which boots while it says it restored. */
  private get restoreSource(): SavedVmState | undefined {
    return this.faults.has('restore-boots-cold') ? undefined : this.context.restoreFrom;
  }

  /** Creates the disks and boots; resolves when the guest agent has answered an exec. */
  async create(): Promise<void> {
    const disk = this.spec.disk ?? {};
    this.paths = await createVmFiles(this.context.vmDir, disk.overlayDir, disk.scratchMiB !== undefined);
    // Each is a process of its own (mkfifo ~4 ms here, qemu-img more): side by side, not one after the other.
    await Promise.all([makeFifo(this.paths.consolePipe), this.createDisks(this.paths, disk)]);
    if (this.faults.has('destroy-orphans-helper')) this.consoleCopier = startConsoleCopier(this.context.vmDir);
    await this.boot();
  }

  private async createDisks(paths: VmPaths, disk: NonNullable<SandboxSpec['disk']>): Promise<void> {
    const qemuImg = qemuImgBinary(this.context.qemuBinary);
    const saved = this.restoreSource;
    if (saved && this.faults.has('restore-shares-overlay')) {
      paths.rootOverlay = saved.sharedOverlay;
      if (!existsSync(saved.sharedOverlay)) await createOverlay(qemuImg, saved.rootOverlay, saved.sharedOverlay);
    } else {
      await createOverlay(qemuImg, saved?.rootOverlay ?? this.context.rootBase, paths.rootOverlay, { lazyRefcounts: this.faults.has('lazy-refcounts') });
    }
    if (paths.scratchOverlay) await createEmptyDisk(qemuImg, paths.scratchOverlay, disk.scratchMiB!, this.faults.has('scratch-preallocated'));
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') throw new Error(`cannot start VM ${this.name} in state ${this.state}`);
    if (this.faults.has('fresh-overlay-on-start')) await createOverlay(qemuImgBinary(this.context.qemuBinary), this.context.rootBase, this.paths!.rootOverlay);
    await this.boot();
  }

  private async boot(): Promise<void> {
    const paths = this.paths!;
    // Only the first boot: a restored VM that is stopped and started boots from its own disk.
    const restoring = this.boots.length === 0 ? this.restoreSource : undefined;
    const saysRestored = this.boots.length === 0 && this.context.restoreFrom !== undefined;
    const args = vmCommandLine(this.spec, this.context, paths, restoring && {
      // Two VMMs on one writable image need QEMU's image locking off: only the shared-overlay fault does that.
      ...(this.faults.has('restore-shares-overlay') ? { unlockedImage: restoring.sharedOverlay } : {}),
    });
    await writeFile(path.join(this.context.vmDir, 'cmdline.txt'), [this.context.qemuBinary, ...args].map(shellQuote).join(' ') + '\n');
    await removeLog(paths.consoleLog);

    const firstOutput = new FirstOutputWatch(paths.consoleLog);
    // Before the VMM opens the console FIFO, so its open does not wait.
    if (!this.faults.has('console-log-uncapped')) {
      this.console = new ConsoleCapture(paths.consolePipe, paths.consoleLog, {
        keepInMemory: this.faults.has('console-capture-in-memory'),
        keepStart: this.faults.has('console-log-keeps-start'),
      });
    }
    const startedAt = Date.now();
    const stateFd = restoring ? openSync(restoring.stateFile, 'r') : undefined;
    let vmm: VmmProcess;
    try {
      vmm = VmmProcess.start(this.context.qemuBinary, args, { extraFd: stateFd, stderrFile: this.artifacts()['VMM stderr'] });
    } finally {
      // The VMM has its own copy of the descriptor once it started.
      if (stateFd !== undefined) closeSync(stateFd);
    }
    this.vmm = vmm;
    this.lastPid = vmm.pid;
    this.current = 'running';
    const deadline = deadlineMs(BOOT.readyDeadlineMs, this.context.accel);
    try {
      this.qmp = new QmpClient(paths.qmpSocket, path.join(this.context.vmDir, 'qmp.log'));
      this.eventLog.beginBoot();
      this.qmp.onEvent((event) => this.onVmmEvent(event));
      await this.qmp.connect(deadline, () => vmm.alive);
      const controlConnectMs = Date.now() - startedAt;
      await this.watchVmmOverhead(vmm);
      if (restoring) {
        await loadVmState(this.qmp, startedAt + deadline);
        this.savedFacts = JSON.parse(await readFile(restoring.factsFile, 'utf8')) as SavedStateFacts;
      }
      const pollingLost = restoring && this.faults.has('restore-loses-stats-polling');
      if (this.spec.balloon && this.spec.balloon.statsIntervalSeconds && !this.faults.has('no-balloon-stats-polling') && !pollingLost) {
        await this.qmp.execute('qom-set', {
          path: '/machine/peripheral/balloon0',
          property: 'guest-stats-polling-interval',
          value: this.spec.balloon.statsIntervalSeconds,
        });
      }
      this.agent = new AgentClient(paths.agentSocket, {
        ignoreRequestIds: this.faults.has('client-ignores-request-ids'),
        outputAsText: this.faults.has('client-output-as-text'),
        ignoreTruncatedFlag: this.faults.has('client-ignores-truncated-flag'),
        keepTranscript: this.faults.has('client-keeps-transcript'),
        strayRepliesToOldest: this.faults.has('client-delivers-stray-replies'),
        unboundedLineBuffer: this.faults.has('client-unbounded-line-buffer'),
        noReplyDeadline: this.faults.has('client-exec-waits-forever'),
        keepBadInput: this.faults.has('client-keeps-bad-input'),
        hideProtocolErrors: this.faults.has('client-hides-protocol-errors'),
        busyWaitReplies: this.faults.has('client-busy-waits-replies'),
        noOutputCap: this.faults.has('client-no-output-cap'),
        strandRequestsOnDisconnect: this.faults.has('client-strands-requests-on-disconnect'),
      });
      await this.agent.connect(deadline, () => vmm.alive);
      // Connected before the guest runs again, so the restored agent, mid-read on a port whose host
      // never went away, has nothing to reopen: the session is live at once, with no HELLO to wait for.
      if (restoring) await this.resumeRestored();
      const greets = !restoring || this.faults.has('restore-awaits-hello');
      if (greets && !this.faults.has('client-no-hello-deadline')) await this.awaitAgentGreeting(startedAt + deadline);
      if (this.faults.has('boot-waits-fixed-settle')) await sleep(deadline);
      await this.waitUntilReady(startedAt + deadline, restoring && !this.faults.has('restore-skips-reseed') ? reseedCommand() : undefined);
      this.lastBootMs = Date.now() - startedAt;
      const firstOutputAt = firstOutput.stop();
      this.boots.push({
        firstConsoleOutputMs: firstOutputAt === undefined ? undefined : firstOutputAt - startedAt,
        controlConnectMs,
        firstExecMs: this.lastBootMs,
        ...(saysRestored ? { restored: true } : {}),
      });
      if (restoring && !this.faults.has('restore-keeps-saved-clock')) await this.setRestoredClock();
    } catch (error) {
      firstOutput.stop();
      const reason = vmm.alive ? (error as Error).message : `the VMM exited (${vmm.exitReason})`;
      throw new Error(`VM ${this.name} did not become ready: ${reason}\n--- console tail ---\n${await this.consoleTail(20)}`);
    }
  }

  /**
   * The agent greets (HELLO) right after it opens its port, and only a greeted agent is sure to get
   * what the host writes. QEMU reports the guest's port opening (VSERPORT_CHANGE), so an agent that
   * opens its port and stays silent fails create moments later, not at the ready deadline.
   */
  private async awaitAgentGreeting(giveUpAt: number): Promise<void> {
    const vmm = this.vmm!;
    const helloWindowMs = deadlineMs(AGENT.helloAfterPortOpenMs, this.context.accel);
    const isPortOpening = (event: QmpEvent) => event.name === 'VSERPORT_CHANGE' && event.data.id === AGENT_PORT_DEVICE_ID && event.data.open === true;
    let timer: NodeJS.Timeout | undefined;
    let stopListening = () => {};
    const silence = new Promise<never>((_, reject) => {
      const failAfter = (ms: number, why: string) => {
        clearTimeout(timer);
        timer = setTimeout(() => reject(new AgentChannelError(why)), ms);
      };
      const onPortOpened = () => failAfter(helloWindowMs, `the guest agent opened its port but sent no HELLO greeting within ${helloWindowMs} ms`);
      failAfter(giveUpAt - Date.now(), 'the guest agent sent no HELLO greeting within the ready deadline (its port never opened)');
      // This boot's QMP client only: the VM's event history also holds earlier boots' port openings.
      if (this.qmp!.events.some(isPortOpening)) onPortOpened();
      else stopListening = this.qmp!.onEvent((event) => void (isPortOpening(event) && onPortOpened()));
    });
    const vmmExit = vmm.waitForExit(giveUpAt - Date.now()).then((exited) => {
      if (exited) throw new Error(`the VMM exited (${vmm.exitReason})`);
      return silence;
    });
    try {
      await Promise.race([this.agent!.greeted, silence, vmmExit]);
    } finally {
      clearTimeout(timer);
      stopListening();
    }
  }

  /** The balloon's target is in the saved device state; only a broken runtime sets it back. */
  private async resumeRestored(): Promise<void> {
    if (this.faults.has('restore-resets-balloon') && this.spec.balloon !== false) {
      await this.qmp!.execute('balloon', { value: this.spec.memoryMiB * 1024 * 1024 });
    }
    await this.qmp!.execute('cont');
  }

  /** A restored guest's clock stands where it was saved (its clocks stop with the VM): set to the host's. */
  private async setRestoredClock(): Promise<void> {
    const set = await this.agent!.exec(clockSetCommand(Date.now()), { timeoutSeconds: GUEST.clockExecTimeoutSeconds });
    if (set.exitCode !== 0 || set.timedOut) throw new Error(`VM ${this.name}: setting the restored guest's clock failed (${`exit ${set.exitCode}${set.timedOut ? ', timed out' : ''}, stderr ${JSON.stringify(set.stderr.toString().slice(0, 200))}`})`);
  }

  /** `before` runs in the same request, so it costs no extra round trip. */
  private async waitUntilReady(giveUpAt: number, before?: string): Promise<void> {
    const remainingSeconds = () => Math.max(1, Math.ceil((giveUpAt - Date.now()) / 1000));
    const result = await this.agent!.exec(before ? `${before} && echo ready` : 'echo ready', { timeoutSeconds: remainingSeconds() });
    if (result.exitCode !== 0 || result.stdout.toString() !== 'ready\n') {
      throw new Error(`first exec answered exit ${result.exitCode}: ${result.stderr.toString().trim()}`);
    }
  }

  /**
   * Saves this running, ready VM to `saved` and ends it: its root overlay becomes the saved, read-only
   * one. The VM is destroyed afterwards; only the saved files remain.
   */
  async saveTo(saved: SavedVmState): Promise<void> {
    if (this.state !== 'running') throw new Error(`cannot save VM ${this.name} in state ${this.state}`);
    if (this.diskFiles().length !== 1) throw new Error(`cannot save VM ${this.name}: only a root disk is saved`);
    await saveVmState(this.qmp!, saved.stateFile);
    await this.qmp!.execute('quit').catch(() => {});
    if (!(await this.vmm!.waitForExit(SHUTDOWN.graceMs))) await this.vmm!.kill(SHUTDOWN.killGraceMs);
    await keepOverlay(this.paths!.rootOverlay, saved.rootOverlay);
    await this.destroy();
  }

  exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    if (!this.agent || this.state !== 'running') return Promise.reject(new Error(`VM ${this.name} is ${this.state}: cannot exec`));
    if (this.gaveUp) return Promise.reject(new Error(`VM ${this.name} once did not answer: the runtime sends it nothing more`));
    return this.agent.exec(command, options).then(
      (result) => {
        this.execRoundTripsMs.push(result.durationMs);
        return result;
      },
      (error: unknown) => {
        if (error instanceof GuestNoAnswerError && this.faults.has('exec-gives-up-after-no-answer')) this.gaveUp = true;
        throw error;
      },
    );
  }

  timings(): SandboxTimings {
    return { boots: this.boots, execRoundTripsMs: this.execRoundTripsMs };
  }

  async upload(guestPath: string, data: Uint8Array): Promise<void> {
    const result = await this.exec(`cat > ${shellQuote(guestPath)}`, { stdin: data });
    if (result.exitCode !== 0 && !this.faults.has('upload-ignores-exit-code')) throw new Error(`upload to ${guestPath} failed: ${result.stderr.toString().trim()}`);
  }

  async download(guestPath: string): Promise<Buffer> {
    const result = await this.exec(`cat ${shellQuote(guestPath)}`);
    if (result.exitCode !== 0) throw new Error(`download of ${guestPath} failed: ${result.stderr.toString().trim()}`);
    if (result.truncated) throw new Error(`download of ${guestPath} exceeded the output limit`);
    return result.stdout;
  }

  balloon(): BalloonControl | undefined {
    if (this.spec.balloon === false) return undefined;
    return new QemuBalloonControl({
      socketPath: this.controlSocket,
      transcriptPath: this.artifacts()['balloon QMP transcript'],
      memoryMiB: this.spec.memoryMiB,
      accel: this.context.accel,
      faults: this.faults,
    });
  }

  async hostFootprint(): Promise<HostFootprint> {
    const files: Record<string, number> = {};
    for (const file of this.diskFiles()) files[file] = await allocatedBytes(file);
    return { files, totalBytes: Object.values(files).reduce((sum, bytes) => sum + bytes, 0) };
  }

  async vmmMemoryBytes(): Promise<number> {
    const pid = this.vmmPid;
    if (pid === undefined) throw new Error(`VM ${this.name} has no running VMM`);
    return vmmResidentBytes(pid);
  }

  async vmmOverhead(): Promise<VmmOverheadWatch> {
    if (this.finalOverhead) return await this.finalOverhead;
    if (!this.overheadWatched) throw new Error(`VM ${this.name}: its VMM's own memory is not watched (it never started, or /proc/<pid> is not there to read)`);
    return vmmOverheadWatcher.report(this.context.vmDir);
  }

  /** Every boot's VMM, from its start: the watch reads /proc/<pid>, so only on Linux. */
  private async watchVmmOverhead(vmm: VmmProcess): Promise<void> {
    if (thisHost.platform !== 'linux' || vmm.pid === undefined) return;
    // The size QEMU gave the guest, as it says: the memory the runtime asked for, unless a fault left it to QEMU.
    const { 'base-memory': guestRamBytes } = await this.qmp!.execute<{ 'base-memory': number }>('query-memory-size-summary');
    vmmOverheadWatcher.watch(this.context.vmDir, vmm.pid, guestRamBytes, this.createdAt, {
      everyTicks: this.faults.has('vmm-overhead-looks-seldom') ? FAULT_SHAPES.seldomOverheadLookTicks : overheadLookTicks(this.spec.vmmOverheadLookEveryMs),
    });
    this.overheadWatched = true;
  }

  async checkDiskConsistency(): Promise<DiskImageCheck[]> {
    if (this.state === 'destroyed') throw new Error(`VM ${this.name} is destroyed: its disks are gone`);
    const live = this.vmm?.alive ? this.qmp : undefined;
    return checkDiskImages(qemuImgBinary(this.context.qemuBinary), this.diskFiles(), live);
  }

  /** The VMM pauses on its own (werror=stop after a host I/O error) as well as when asked to. */
  private onVmmEvent(qmpEvent: QmpEvent): void {
    const event = this.eventLog.add(qmpEvent);
    if (event?.kind === 'paused' && this.current === 'running' && !this.guestFrozen) this.current = 'paused';
    if (event?.kind === 'resumed' && this.current === 'paused') this.current = 'running';
  }

  events(): readonly VmEvent[] {
    return this.eventLog.events;
  }

  waitForEvent<K extends VmEventKind>(kind: K, timeoutMs: number): Promise<VmEvent<K>> {
    if (!this.qmp) return Promise.reject(new Error(`VM ${this.name} has no QMP connection`));
    return this.eventLog.waitFor(kind, timeoutMs);
  }

  async setHostStorageFull(full: boolean): Promise<void> {
    if (!this.spec.disk?.hostStorageControl) throw new Error(`VM ${this.name} was not made with disk.hostStorageControl`);
    if (!this.qmp) throw new Error(`VM ${this.name} has no QMP connection`);
    await setHostStorageFull(this.qmp, full);
  }

  /** The vCPUs stop (QMP stop) with the VM still counted as running, so execs go out and meet the silence. */
  async freezeGuest(frozen: boolean): Promise<void> {
    if (this.state !== 'running') throw new Error(`VM ${this.name} is ${this.state}: cannot ${frozen ? 'freeze' : 'thaw'} its guest`);
    if (frozen) this.guestFrozen = true;
    await this.qmp!.execute(frozen ? 'stop' : 'cont');
    if (!frozen) this.guestFrozen = false;
  }

  async resume(): Promise<void> {
    await this.qmp!.execute('cont');
  }

  /** The QMP monitor that balloon control clients connect to on their own. */
  get controlSocket(): string {
    return this.paths!.controlSocket;
  }

  async reconnectAgent(): Promise<void> {
    const vmm = this.vmm!;
    this.agent!.disconnect();
    await this.agent!.connect(deadlineMs(BOOT.readyDeadlineMs, this.context.accel), () => vmm.alive);
  }

  async stop(): Promise<void> {
    if (this.state !== 'running') throw new Error(`cannot stop VM ${this.name} in state ${this.state}`);
    // Flush and freeze the filesystem first: the disk must be consistent for the next start().
    await this.agent!.exec('sync; mount -o remount,ro / 2>/dev/null; sync', { timeoutSeconds: 30 });
    await this.qmp!.execute('quit').catch(() => {});
    if (!(await this.vmm!.waitForExit(SHUTDOWN.graceMs))) await this.vmm!.kill(SHUTDOWN.killGraceMs);
    await this.closeChannels();
    this.current = 'stopped';
  }

  private destroying: Promise<void> | undefined;

  /** Idempotent and safe to call concurrently (test teardown and a timeout's abort may race). */
  destroy(): Promise<void> {
    this.destroying ??= this.destroyOnce();
    return this.destroying;
  }

  private async destroyOnce(): Promise<void> {
    this.lastPid = this.vmm?.pid ?? this.lastPid;
    if (this.overheadWatched) {
      this.finalOverhead = vmmOverheadWatcher.report(this.context.vmDir);
      // Settled before the watch is let go; its failure is the caller's, when asked.
      await this.finalOverhead.catch(() => {});
      vmmOverheadWatcher.forget(this.context.vmDir);
    }
    await this.vmm?.kill(SHUTDOWN.killGraceMs);
    await this.closeChannels();
    this.current = 'destroyed';
    if (this.paths && this.faults.has('overlay-leak-on-destroy')) {
      await rename(this.paths.rootOverlay, path.join(this.context.leakDir, path.basename(this.paths.rootOverlay)));
    }
    for (const file of this.diskFiles()) await rm(file, { force: true });
    await rm(this.context.vmDir, { recursive: true, force: true });
    const left = await this.leftovers();
    if (left.length > 0) throw new Error(`destroy of VM ${this.name} left behind: ${left.join(', ')}`);
  }

  async leftovers(): Promise<string[]> {
    const pid = this.vmm?.pid ?? this.lastPid;
    const id = path.basename(this.context.vmDir);
    const files = await findFilesNamed(path.dirname(this.context.vmDir), id, 2);
    const overlays = this.diskFiles().filter((file) => existsSync(file));
    return [
      ...(pid !== undefined && processExists(pid) ? [`VMM process ${pid}`] : []),
      ...new Set([...files, ...overlays]),
    ];
  }

  private async closeChannels(): Promise<void> {
    this.agent?.disconnect();
    this.qmp?.close();
    this.qmp = undefined;
    // The report outlives the connection: a case reads what the channel put up with after destroy too.
    this.lastAgentReport = this.agent?.report() ?? this.lastAgentReport;
    this.agent = undefined;
    await this.console?.close();
  }

  private lastAgentReport: AgentChannelReport = { protocolErrors: 0, lastProtocolError: undefined, strayReplies: 0, peakHeldChars: 0, recentExchanges: [] };

  agentChannel(): AgentChannelReport {
    return this.agent?.report() ?? this.lastAgentReport;
  }

  async consoleLog(): Promise<ConsoleLogReport> {
    await this.console?.flush();
    return { keptBytes: await keptLogBytes(this.consoleLogPath), receivedBytes: this.console?.receivedBytes };
  }

  private get consoleLogPath(): string {
    return path.join(this.context.vmDir, 'console.log');
  }

  private diskFiles(): string[] {
    if (!this.paths) return [];
    return [this.paths.rootOverlay, ...(this.paths.scratchOverlay ? [this.paths.scratchOverlay] : [])];
  }

  artifacts(): Record<string, string> {
    const dir = this.context.vmDir;
    return {
      'command line': path.join(dir, 'cmdline.txt'),
      'serial console': this.consoleLogPath,
      'serial log, earlier segment': previousSegment(this.consoleLogPath),
      'QMP transcript': path.join(dir, 'qmp.log'),
      'balloon QMP transcript': path.join(dir, 'balloon-qmp.log'),
      'VMM stderr': path.join(dir, 'vmm-stderr.log'),
    };
  }

  async consoleTail(lines = 40): Promise<string> {
    await this.console?.flush();
    return logTail(this.consoleLogPath, lines);
  }
}

/** Files or directories under `dir` (to `depth` levels) whose name starts with `prefix`. */
async function findFilesNamed(dir: string, prefix: string, depth: number): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith(prefix)) found.push(full);
    else if (entry.isDirectory() && depth > 1) found.push(...(await findFilesNamed(full, prefix, depth - 1)));
  }
  return found;
}

/**
 * Fault destroy-orphans-helper: a console copier in the VM's directory. Its input is a pipe from this
 * process, so it ends when the runtime does, never with the VM: exactly the helper a destroy forgets.
 */
function startConsoleCopier(vmDir: string): ChildProcess {
  const copier = spawn('tee', [path.join(vmDir, 'console.copy')], { stdio: ['pipe', 'ignore', 'ignore'] });
  copier.on('error', () => {});
  copier.unref();
  (copier.stdin as Socket | null)?.unref();
  return copier;
}
