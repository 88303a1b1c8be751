import { describe, expect, it } from 'vitest';
import { missingCapabilitiesNote } from '../../harness/vitest/vm-test.ts';
import type { GuestImage } from '../../harness/image/index.ts';
import { machineProfile } from '../../harness/runtime/qemu/machine.ts';
import { QemuRuntime } from '../../harness/runtime/qemu/runtime.ts';
import { profileKey, restoreUnsupported, templateSpec } from '../../harness/runtime/qemu/snapshot.ts';
import { LINUX_X64 } from './fixtures/fake-host-platform.ts';

describe('the profile of a saved VM', () => {
  it('is the spec without its name: VMs of two cases share one saved state', () => {
    expect(profileKey({ name: 'a', restore: true, memoryMiB: 256 })).toBe(profileKey({ name: 'b', restore: true, memoryMiB: 256 }));
  });

  it('differs with whatever shapes the booted guest: memory, agent, balloon target at save', () => {
    const base = profileKey({ name: 'a', restore: true });
    expect(profileKey({ name: 'a', restore: true, memoryMiB: 512 })).not.toBe(base);
    expect(profileKey({ name: 'a', restore: true, agent: { readTimeoutSeconds: 3 } })).not.toBe(base);
    expect(profileKey({ name: 'a', restore: { balloonTargetMiB: 128 } })).not.toBe(base);
    expect(profileKey({ name: 'a', restore: true, faults: ['agent-never-reopens'] })).not.toBe(base);
  });

  it('leaves out the faults of the restore itself: the saved VM is the same with them', () => {
    expect(profileKey({ name: 'a', restore: true, faults: ['restore-shares-overlay'] })).toBe(profileKey({ name: 'a', restore: true }));
    expect(templateSpec({ name: 'a', restore: true, faults: ['restore-resets-balloon', 'no-discard'] }, 't')).toEqual({ name: 't', restore: undefined, faults: ['no-discard'] });
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
