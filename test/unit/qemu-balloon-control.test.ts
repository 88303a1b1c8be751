import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BalloonNotConnectedError } from '../../harness/contract/balloon-errors.ts';
import { QEMU_BALLOON_LIMITS, QemuBalloonControl } from '../../harness/runtime/qemu/balloon-control.ts';
import type { Fault } from '../../harness/contract/faults.ts';

const MIB = 1024 * 1024;
const MEMORY_MIB = 256;

/** A QMP monitor with a balloon whose guest follows every new target after a few queries while it runs; like QEMU, it keeps the balloon within the VM's memory. */
class FakeMonitor {
  actualMiB = MEMORY_MIB;
  /** Whether the vCPUs run (QMP `stop` and `cont`): a paused guest moves no balloon. */
  running = true;
  targets: number[] = [];
  connections = 0;
  stats: Record<string, number> = { 'stat-free-memory': -1, 'stat-total-memory': -1 };
  lastUpdate = 0;
  /** Like QEMU, send a BALLOON_CHANGE for each move, stamped when it happened and delivered this much later (QEMU throttles them); undefined: send none. */
  eventDelayMs: number | undefined;
  /** When the last move happened, as its event is stamped. */
  movedAt: number | undefined;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private pendingMiB: number | undefined;
  private queriesUntilMoved = 0;

  async listen(socketPath: string): Promise<void> {
    this.server = net.createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve) => this.server!.listen(socketPath, resolve));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private serve(socket: net.Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.write(`${JSON.stringify({ QMP: { version: {}, capabilities: [] } })}\n`);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const request = JSON.parse(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        socket.write(`${JSON.stringify({ return: this.answer(request.execute, request.arguments, socket), id: request.id })}\n`);
      }
    });
  }

  private answer(command: string, args: Record<string, unknown> | undefined, socket: net.Socket): unknown {
    switch (command) {
      case 'balloon':
        this.targets.push((args!.value as number) / MIB);
        this.pendingMiB = Math.min(MEMORY_MIB, (args!.value as number) / MIB);
        this.queriesUntilMoved = 2;
        return {};
      case 'stop':
      case 'cont':
        this.running = command === 'cont';
        return {};
      case 'query-balloon':
        if (this.running && this.pendingMiB !== undefined && this.queriesUntilMoved-- <= 0 && this.actualMiB !== this.pendingMiB) this.moveNow(socket);
        return { actual: this.actualMiB * MIB };
      case 'qom-get':
        return { stats: this.stats, 'last-update': this.lastUpdate };
      default:
        return {};
    }
  }

  private moveNow(socket: net.Socket): void {
    this.actualMiB = this.pendingMiB!;
    // The guest finished a little before this query saw it: the event says when.
    const movedAt = Date.now() - 20;
    this.movedAt = movedAt;
    if (this.eventDelayMs === undefined) return;
    const event = { event: 'BALLOON_CHANGE', data: { actual: this.actualMiB * MIB }, timestamp: { seconds: Math.floor(movedAt / 1000), microseconds: (movedAt % 1000) * 1000 } };
    setTimeout(() => socket.write(`${JSON.stringify(event)}\n`), this.eventDelayMs);
  }
}

describe('QemuBalloonControl', () => {
  let dir: string;
  let monitor: FakeMonitor;
  let control: QemuBalloonControl;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'balloon-control-'));
    monitor = new FakeMonitor();
    await monitor.listen(path.join(dir, 'ctl.sock'));
    control = new QemuBalloonControl({ socketPath: path.join(dir, 'ctl.sock'), memoryMiB: MEMORY_MIB, accel: 'kvm' });
  });

  afterEach(async () => {
    await control.close();
    await monitor.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses every operation with a typed error until it is connected', async () => {
    for (const operation of [() => control.query(), () => control.setTarget(128), () => control.inflate(128), () => control.deflate(256), () => control.stats()]) {
      await expect(operation()).rejects.toThrow(BalloonNotConnectedError);
      await expect(operation()).rejects.toThrow(/not connected/);
    }
  });

  it('connects once however often it is asked, and closes as often as asked', async () => {
    await control.connect();
    await control.connect();
    expect(monitor.connections).toBe(1);
    expect(await control.query()).toBe(MEMORY_MIB);
    await control.close();
    await control.close();
    await expect(control.query()).rejects.toThrow(BalloonNotConnectedError);
  });

  it("times each move by the VMM's BALLOON_CHANGE stamp, also when the event comes late, and by polling without one", async () => {
    await control.connect();
    monitor.eventDelayMs = 300;
    const requestedAt = Date.now();
    await control.inflate(128);
    const movedAt = monitor.movedAt!;
    monitor.eventDelayMs = undefined;
    await control.deflate(MEMORY_MIB);
    const [inflate, deflate] = await control.moves();
    expect(inflate).toMatchObject({ direction: 'inflate', movedMiB: 128, timedBy: 'vmm-event' });
    // Stamped when the guest moved (20 ms before the poll saw it), not when the late event arrived.
    expect(inflate!.durationMs).toBeGreaterThan(0);
    expect(inflate!.durationMs).toBeLessThanOrEqual(movedAt - requestedAt);
    expect(deflate).toMatchObject({ direction: 'deflate', movedMiB: 128, timedBy: 'polling' });
  });

  it('inflates: waits until the balloon is at the target and returns the size before', async () => {
    await control.connect();
    expect(await control.inflate(128)).toBe(MEMORY_MIB);
    expect(await control.query()).toBe(128);
  });

  it('never asks for less than the minimum it reports', async () => {
    expect(await control.limits()).toEqual(QEMU_BALLOON_LIMITS);
    await control.connect();
    await control.inflate(16);
    expect(await control.query()).toBe(QEMU_BALLOON_LIMITS.minimumMiB);
    expect(monitor.targets).toEqual([QEMU_BALLOON_LIMITS.minimumMiB]);
  });

  it('passes a target above the VM memory to the VMM as asked, and waits until the guest has all of its memory', async () => {
    await control.connect();
    await control.inflate(128);
    expect(await control.deflate(MEMORY_MIB * 2)).toBe(128);
    expect(monitor.targets).toEqual([128, MEMORY_MIB * 2]);
    expect(await control.query()).toBe(MEMORY_MIB);
  });

  describe('with its faults', () => {
    const faulty = (...faults: Fault[]) => new QemuBalloonControl({ socketPath: path.join(dir, 'ctl.sock'), memoryMiB: MEMORY_MIB, accel: 'kvm', faults: new Set(faults) });

    it('no-balloon-floor: asks for a target below the minimum', async () => {
      const control = faulty('no-balloon-floor');
      await control.connect();
      await control.setTarget(16);
      expect(monitor.targets).toEqual([16]);
      await control.close();
    });

    it('balloon-drops-target-above-memory: sends nothing for a target above the memory', async () => {
      const control = faulty('balloon-drops-target-above-memory');
      await control.connect();
      await control.inflate(128);
      expect(await control.deflate(MEMORY_MIB * 2)).toBe(128);
      expect(monitor.targets).toEqual([128]);
      await control.close();
    });

    it('balloon-control-untracked: dials on every connect, fails untyped unconnected, and throws on a second close', async () => {
      const control = faulty('balloon-control-untracked');
      await expect(control.query()).rejects.toThrow(TypeError);
      await control.connect();
      await control.connect();
      expect(monitor.connections).toBe(2);
      await control.close();
      await expect(control.close()).rejects.toThrow(TypeError);
    });

    it('balloon-reports-target-reached: reports the target it was asked for and sends the VMM nothing', async () => {
      const control = faulty('balloon-reports-target-reached');
      await control.connect();
      expect(await control.inflate(128)).toBe(MEMORY_MIB);
      expect(await control.query()).toBe(128);
      expect(monitor.targets).toEqual([]);
      expect(monitor.actualMiB).toBe(MEMORY_MIB);
      await control.close();
    });

    it('balloon-move-returns-early: resolves once the target is sent, before the balloon moved', async () => {
      const control = faulty('balloon-move-returns-early');
      await control.connect();
      expect(await control.inflate(128)).toBe(MEMORY_MIB);
      expect(monitor.targets).toEqual([128]);
      expect(await control.query()).toBe(MEMORY_MIB);
      await control.close();
    });

    it('balloon-move-returns-target: resolves to where the balloon went, not where it came from', async () => {
      const control = faulty('balloon-move-returns-target');
      await control.connect();
      expect(await control.inflate(128)).toBe(128);
      await control.close();
    });

    it('deflate-returns-less: asks for the target less the floor, floored', async () => {
      const control = faulty('deflate-returns-less');
      await control.connect();
      await control.inflate(128);
      await control.deflate(MEMORY_MIB);
      expect(monitor.targets).toEqual([128, MEMORY_MIB - QEMU_BALLOON_LIMITS.minimumMiB]);
      await control.close();
    });

    it('balloon-target-as-size: sends memory − target, floored', async () => {
      const control = faulty('balloon-target-as-size');
      await control.connect();
      await control.setTarget(192);
      await control.setTarget(64);
      expect(monitor.targets).toEqual([QEMU_BALLOON_LIMITS.minimumMiB, 192]);
      await control.close();
    });

    it('balloon-move-leaves-vm-paused: pauses the VM once a move is done and resumes it for the next one', async () => {
      const control = faulty('balloon-move-leaves-vm-paused');
      await control.connect();
      expect(await control.inflate(128)).toBe(MEMORY_MIB);
      expect(monitor.running).toBe(false);
      expect(await control.deflate(MEMORY_MIB)).toBe(128);
      expect(monitor.actualMiB).toBe(MEMORY_MIB);
      expect(monitor.running).toBe(false);
      await control.close();
    });

    it('balloon-stats-wrong-unit: hands the statistics on 1024× too large', async () => {
      const control = faulty('balloon-stats-wrong-unit');
      await control.connect();
      monitor.stats = { 'stat-free-memory': 100 * MIB, 'stat-total-memory': 200 * MIB };
      monitor.lastUpdate = 1_700_000_000;
      expect(await control.stats()).toMatchObject({ freeBytes: 100 * MIB * 1024, totalBytes: 200 * MIB * 1024 });
      await control.close();
    });
  });

  it('reports unset guest statistics as undefined', async () => {
    await control.connect();
    expect(await control.stats()).toEqual({ freeBytes: undefined, totalBytes: undefined, availableBytes: undefined, lastUpdate: undefined });
    monitor.stats = { 'stat-free-memory': 100 * MIB, 'stat-total-memory': 200 * MIB, 'stat-available-memory': 150 * MIB };
    monitor.lastUpdate = 1_700_000_000;
    expect(await control.stats()).toEqual({ freeBytes: 100 * MIB, totalBytes: 200 * MIB, availableBytes: 150 * MIB, lastUpdate: 1_700_000_000 });
  });
});
