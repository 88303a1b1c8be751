import { describe, expect, it } from 'vitest';
import {
  AcceleratorUnavailableError,
  chooseAccelerator,
  type ProbeBoot,
  type ProbeTarget,
} from '../../harness/runtime/qemu/accelerator.ts';
import { machineProfile, type MachineName } from '../../harness/runtime/qemu/machine.ts';
import type { Accelerator } from '../../harness/contract/run-target.ts';
import {
  fakeHostPlatform,
  LINUX_ARM64,
  LINUX_X64,
  MAC_ARM64,
  MAC_X64,
  type FakeHostFacts,
} from './fixtures/fake-host-platform.ts';

const HV_SUPPORT = 'sysctl -n kern.hv_support';

function target(machine: MachineName): ProbeTarget {
  return { qemuBinary: 'qemu', machine: machineProfile(machine), kernel: 'vmlinuz', initramfs: 'initramfs' };
}

/** A probe boot that records what it was asked to boot and answers as told. */
function probe(failure?: string): ProbeBoot & { booted: Accelerator[] } {
  const booted: Accelerator[] = [];
  return Object.assign(async (accel: Accelerator) => {
    booted.push(accel);
    return failure;
  }, { booted });
}

const kvmHost = (facts: Pick<FakeHostFacts, 'platform' | 'arch'>) => fakeHostPlatform({ ...facts, readWritable: ['/dev/kvm'] });
const hvfHost = (facts: Pick<FakeHostFacts, 'platform' | 'arch'>, hvSupport = '1') => fakeHostPlatform({ ...facts, commands: { [HV_SUPPORT]: hvSupport } });

describe('chooseAccelerator on Linux (KVM)', () => {
  it.each([
    [LINUX_X64, 'microvm'],
    [LINUX_ARM64, 'virt'],
  ] as const)('auto picks KVM for a native guest once a probe guest booted (%o, %s)', async (facts, machine) => {
    const bootProbe = probe();
    const decision = await chooseAccelerator('auto', target(machine), { platform: kvmHost(facts), bootProbe });
    expect(decision).toEqual({ accel: 'kvm', requested: 'auto', reason: 'KVM auto-selected: a probe guest booted on it' });
    expect(bootProbe.booted).toEqual(['kvm']);
  });

  it('auto falls back to TCG, with the reason, for an aarch64 guest on an x86_64 host, without booting', async () => {
    const bootProbe = probe();
    const decision = await chooseAccelerator('auto', target('virt'), { platform: kvmHost(LINUX_X64), bootProbe });
    expect(decision.accel).toBe('tcg');
    expect(decision.reason).toBe('KVM unusable (KVM cannot run an aarch64 guest on an x86_64 host); falling back to TCG');
    expect(bootProbe.booted).toEqual([]);
  });

  it('a demanded KVM for a foreign guest is an AcceleratorUnavailableError naming both architectures', async () => {
    const run = chooseAccelerator('kvm', target('microvm'), { platform: kvmHost(LINUX_ARM64), bootProbe: probe() });
    await expect(run).rejects.toThrow(AcceleratorUnavailableError);
    await expect(run).rejects.toThrow('KVM was requested but is unusable: KVM cannot run an x86_64 guest on an aarch64 host');
  });

  it('auto falls back when /dev/kvm is not accessible, and when the probe guest does not boot', async () => {
    const noDevice = await chooseAccelerator('auto', target('microvm'), { platform: fakeHostPlatform(LINUX_X64), bootProbe: probe() });
    expect(noDevice.reason).toBe('KVM unusable (/dev/kvm is missing or not accessible to this user); falling back to TCG');
    const broken = await chooseAccelerator('auto', target('microvm'), { platform: kvmHost(LINUX_X64), bootProbe: probe('QEMU exited (1): kvm run failed') });
    expect(broken).toMatchObject({ accel: 'tcg', reason: 'KVM unusable (a probe guest did not boot: QEMU exited (1): kvm run failed); falling back to TCG' });
  });

  it('a demanded KVM that boots is used; one that does not is an error, never TCG', async () => {
    const ok = await chooseAccelerator('kvm', target('microvm'), { platform: kvmHost(LINUX_X64), bootProbe: probe() });
    expect(ok).toEqual({ accel: 'kvm', requested: 'kvm', reason: 'KVM requested and a probe guest booted on it' });
    await expect(chooseAccelerator('kvm', target('microvm'), { platform: kvmHost(LINUX_X64), bootProbe: probe('no line') })).rejects.toThrow(
      'KVM was requested but is unusable: a probe guest did not boot: no line',
    );
  });

  it('HVF on Linux is refused with the reason', async () => {
    await expect(chooseAccelerator('hvf', target('microvm'), { platform: kvmHost(LINUX_X64), bootProbe: probe() })).rejects.toThrow(
      'HVF was requested but is unusable: HVF exists only on macOS (host is linux)',
    );
  });
});

describe('chooseAccelerator on macOS (HVF)', () => {
  it('auto picks HVF on Apple Silicon for an aarch64 guest after kern.hv_support and a probe guest', async () => {
    const platform = hvfHost(MAC_ARM64);
    const bootProbe = probe();
    const decision = await chooseAccelerator('auto', target('virt'), { platform, bootProbe });
    expect(decision).toEqual({ accel: 'hvf', requested: 'auto', reason: 'HVF auto-selected: a probe guest booted on it' });
    expect(platform.ran).toEqual([HV_SUPPORT]);
    expect(bootProbe.booted).toEqual(['hvf']);
  });

  it('auto on Apple Silicon falls back to TCG for an x86_64 guest, saying why', async () => {
    const bootProbe = probe();
    const decision = await chooseAccelerator('auto', target('microvm'), { platform: hvfHost(MAC_ARM64), bootProbe });
    expect(decision.reason).toBe('HVF unusable (HVF cannot run an x86_64 guest on an aarch64 host); falling back to TCG');
    expect(bootProbe.booted).toEqual([]);
  });

  it('an Intel Mac runs x86_64 guests on HVF and refuses aarch64 ones', async () => {
    expect((await chooseAccelerator('hvf', target('microvm'), { platform: hvfHost(MAC_X64), bootProbe: probe() })).accel).toBe('hvf');
    await expect(chooseAccelerator('hvf', target('virt'), { platform: hvfHost(MAC_X64), bootProbe: probe() })).rejects.toThrow(
      'HVF cannot run an aarch64 guest on an x86_64 host',
    );
  });

  it('without kern.hv_support (0, or sysctl failing) HVF is unusable and no probe guest boots', async () => {
    for (const platform of [hvfHost(MAC_ARM64, '0\n'), fakeHostPlatform(MAC_ARM64)]) {
      const bootProbe = probe();
      const decision = await chooseAccelerator('auto', target('virt'), { platform, bootProbe });
      expect(decision.reason).toBe('HVF unusable (kern.hv_support is not 1 (no Hypervisor.framework support)); falling back to TCG');
      expect(bootProbe.booted).toEqual([]);
    }
  });

  it('KVM on macOS is refused with the reason', async () => {
    await expect(chooseAccelerator('kvm', target('virt'), { platform: hvfHost(MAC_ARM64), bootProbe: probe() })).rejects.toThrow(
      'KVM exists only on Linux (host is darwin)',
    );
  });

  it('TCG needs no probe on any host', async () => {
    const bootProbe = probe();
    expect(await chooseAccelerator('tcg', target('virt'), { platform: hvfHost(MAC_ARM64), bootProbe })).toEqual({
      accel: 'tcg',
      requested: 'tcg',
      reason: 'TCG requested',
    });
    expect(bootProbe.booted).toEqual([]);
  });
});
