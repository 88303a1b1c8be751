import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingCapabilitiesNote } from '../../harness/vitest/vm-test.ts';
import type { GuestImage } from '../../harness/image/index.ts';
import { machineProfile } from '../../harness/runtime/qemu/machine.ts';
import { QemuRuntime } from '../../harness/runtime/qemu/runtime.ts';
import { keptAcrossRuns, profileKey, restoreUnsupported, SnapshotStore, templateSpec, type SavedVmState } from '../../harness/runtime/qemu/snapshot.ts';
import { LINUX_X64 } from './fixtures/fake-host-platform.ts';
import { AGENT, VM_DEFAULTS } from '../../harness/config/constants.ts';
import type { SandboxSpec } from '../../harness/contract/sandbox.ts';
import type { VmTarget } from '../../harness/runtime/qemu/vm-shape.ts';
import { scratchDir } from '../fixtures/scratch-dir.ts';

describe('the profile of a saved VM', () => {
  const target: VmTarget = { machine: machineProfile('microvm'), accel: 'tcg', kernel: 'vmlinuz', initramfs: 'initramfs' };
  const baseFile = '/cache/bases/rootfs-128.qcow2:41:1024:1700000000000';
  const key = (spec: Omit<SandboxSpec, 'name'>) => profileKey({ name: 'a', ...spec }, target, baseFile);

  it('is the same for VMs of two cases: the name is not part of it', () => {
    expect(profileKey({ name: 'a', restore: true, memoryMiB: 256 }, target, baseFile)).toBe(profileKey({ name: 'b', restore: true, memoryMiB: 256 }, target, baseFile));
  });

  it('differs when the root disk base is another file, though built alike: the saved overlay sits on the one it was made on', () => {
    expect(profileKey({ name: 'a', restore: true }, target, baseFile)).not.toBe(profileKey({ name: 'a', restore: true }, target, baseFile.replace(':41:', ':42:')));
  });

  it('differs with whatever shapes the booted guest: memory, agent, balloon device, disk base, balloon target at save', () => {
    const base = key({ restore: true });
    expect(key({ restore: true, memoryMiB: 512 })).not.toBe(base);
    expect(key({ restore: true, agent: { readTimeoutSeconds: 3 } })).not.toBe(base);
    expect(key({ restore: true, balloon: { freePageReporting: true } })).not.toBe(base);
    expect(key({ restore: true, disk: { rootfsInodes: 4096 } })).not.toBe(base);
    expect(key({ restore: { balloonTargetMiB: 128 } })).not.toBe(base);
    expect(key({ restore: true, faults: ['agent-never-reopens'] })).not.toBe(base);
  });

  it('is the same however a spec spells one guest: defaults given or left out, keys in any order', () => {
    const base = key({ restore: true });
    expect(key({ restore: true, memoryMiB: VM_DEFAULTS.memoryMiB, zramMiB: 0, balloon: {}, disk: { rootfsMiB: VM_DEFAULTS.rootfsMiB } })).toBe(base);
    expect(key({ restore: true, agent: { readTimeoutSeconds: AGENT.productionReadTimeoutSeconds } })).toBe(base);
    expect(key({ agent: { readTimeoutSeconds: 3 }, restore: true })).toBe(key({ restore: true, agent: { readTimeoutSeconds: 3 } }));
  });

  it('leaves out what is set after the restore: balloon stats polling, which the saved VM never has', () => {
    expect(key({ restore: true, balloon: { statsIntervalSeconds: 1 } })).toBe(key({ restore: true }));
    expect(templateSpec({ name: 'a', restore: true, balloon: { statsIntervalSeconds: 1, deflateOnOom: true } }, 't').balloon).toEqual({ deflateOnOom: true });
  });

  it('leaves out the faults of the restore itself: the saved VM is the same with them', () => {
    expect(key({ restore: true, faults: ['restore-shares-overlay'] })).toBe(key({ restore: true }));
    expect(templateSpec({ name: 'a', restore: true, faults: ['restore-resets-balloon', 'no-discard'] }, 't')).toEqual({ name: 't', restore: undefined, faults: ['no-discard'] });
  });
});

describe('keptAcrossRuns', () => {
  it('keeps a healthy guest for later runs, and a fault test\'s broken one only in its run', () => {
    expect(keptAcrossRuns({ name: 'a', restore: true })).toBe(true);
    expect(keptAcrossRuns({ name: 'a', restore: true, faults: ['restore-shares-overlay'] })).toBe(true);
    expect(keptAcrossRuns({ name: 'a', restore: true, faults: ['agent-never-reopens'] })).toBe(false);
  });
});

describe('restoreUnsupported', () => {
  it('names what a saved state cannot carry, and nothing for a plain VM', () => {
    expect(restoreUnsupported({ name: 'a' })).toBeUndefined();
    expect(restoreUnsupported({ name: 'a', disk: { scratchMiB: 8 } })).toMatch(/scratch disk/);
    expect(restoreUnsupported({ name: 'a', hostile: { agent: 'never-hello' } })).toMatch(/hostile/);
  });
});

describe('--cold', () => {
  const runtime = (cold: boolean) =>
    new QemuRuntime({ qemuBinary: 'qemu-system-x86_64', machine: machineProfile('microvm'), accel: 'tcg', image: {} as GuestImage, runDir: '/tmp/unused', cold }, LINUX_X64);

  it('takes the snapshot capability away, so the snapshot cases skip saying why', () => {
    expect(runtime(false).capabilities.has('snapshot')).toBe(true);
    expect(runtime(true).capabilities.has('snapshot')).toBe(false);
    expect(missingCapabilitiesNote(runtime(true), ['snapshot'])).toMatch(/lacks capability: snapshot \(.*--cold.*no cold form\)/);
  });
});

describe('the saved states of a run', () => {
  // Two stores on one directory stand for two workers of a run, or two runs.
  const store = (dir: string) => new SnapshotStore(async () => dir, path.join(dir, 'run'));
  const savingAfter = (ms: number, saves: string[]) => async (files: SavedVmState) => {
    saves.push(files.stateFile);
    await new Promise((resolve) => setTimeout(resolve, ms));
    await writeFile(files.stateFile, 'state');
  };

  it('are saved once per profile, however many workers ask at the same time', async () => {
    const dir = await scratchDir('snapshots');
    const saves: string[] = [];
    const [a, b] = [store(dir), store(dir)];
    const got = await Promise.all([a.get('profile', savingAfter(200, saves)), b.get('profile', savingAfter(200, saves)), b.get('profile', savingAfter(200, saves))]);
    expect(saves).toHaveLength(1);
    expect(new Set(got.map((files) => files.stateFile)).size).toBe(1);
    expect((await a.get('other', savingAfter(0, saves))).stateFile).not.toBe(got[0]!.stateFile);
  });

  it('are saved by the next worker when the one that claimed a profile died mid-save', async () => {
    const dir = await scratchDir('snapshots');
    const saves: string[] = [];
    const first = await store(dir).get('profile', savingAfter(0, saves));
    const dead = spawnSync('true').pid;
    const profile = path.basename(path.dirname(first.stateFile));
    const other = path.join(dir, 'other');
    await mkdir(other);
    // The same profile in a fresh directory, locked by a process that is gone, with its half-made save.
    const lock = path.join(other, `${profile}.lock`);
    const leftover = path.join(other, `${profile}.saving-${dead}-x1`);
    await mkdir(leftover);
    await mkdir(lock);
    await writeFile(path.join(lock, 'owner'), String(dead));
    const files = await store(other).get('profile', savingAfter(0, saves));
    expect(saves).toHaveLength(2);
    expect(existsSync(files.stateFile)).toBe(true);
    expect(existsSync(lock)).toBe(false);
    expect(existsSync(leftover)).toBe(false);
  });

  it("keep the first save when a second saver got past the lock too: no VM gets one save's memory with the other's disk", async () => {
    const dir = await scratchDir('snapshots');
    const saving = (who: string, ms: number, first?: () => Promise<void>) => async (files: SavedVmState) => {
      await first?.();
      await new Promise((resolve) => setTimeout(resolve, ms));
      await writeFile(files.stateFile, `memory of ${who}`);
      await writeFile(files.rootOverlay, `disk of ${who}`);
    };
    // The slow saver loses its lock while it works, as when two waiters take over a dead owner's lock at once.
    const dropLock = async () => {
      const locks = (await readdir(dir)).filter((entry) => entry.endsWith('.lock'));
      await Promise.all(locks.map((lock) => rm(path.join(dir, lock), { recursive: true })));
    };
    const slow = store(dir).get('profile', saving('slow', 300, dropLock));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const fast = await store(dir).get('profile', saving('fast', 0));
    const late = await slow;
    expect(late).toEqual(fast);
    expect(await readFile(late.stateFile, 'utf8')).toBe('memory of fast');
    expect(await readFile(late.rootOverlay, 'utf8')).toBe('disk of fast');
    expect((await readdir(dir)).filter((entry) => entry.includes('.saving-'))).toEqual([]);
  });

  it('are not kept when the save failed: the next VM of the profile tries again', async () => {
    const dir = await scratchDir('snapshots');
    const states = store(dir);
    await expect(states.get('profile', () => Promise.reject(new Error('template did not boot')))).rejects.toThrow('template did not boot');
    const saves: string[] = [];
    await states.get('profile', savingAfter(0, saves));
    expect(saves).toHaveLength(1);
  });

  it('keep what a run writes into a state (the shared overlay of the restore-shares-overlay fault) in that run, not beside the state', async () => {
    const dir = await scratchDir('snapshots');
    const files = await new SnapshotStore(async () => path.join(dir, 'cache'), path.join(dir, 'run-1')).get('profile', savingAfter(0, []));
    expect(path.dirname(path.dirname(files.stateFile))).toBe(path.join(dir, 'cache'));
    expect(path.dirname(files.rootOverlay)).toBe(path.dirname(files.stateFile));
    expect(path.dirname(files.sharedOverlay)).toBe(path.join(dir, 'run-1'));
  });

  it('are located once, and only when a VM asks for one', async () => {
    const dir = await scratchDir('snapshots');
    let located = 0;
    const states = new SnapshotStore(async () => (located++, dir), path.join(dir, 'run'));
    expect(located).toBe(0);
    await Promise.all([states.get('a', savingAfter(0, [])), states.get('b', savingAfter(0, []))]);
    expect(located).toBe(1);
  });
});
