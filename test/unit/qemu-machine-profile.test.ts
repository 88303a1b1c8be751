import { describe, expect, it } from 'vitest';
import { acceleratorArgs, defaultMachine, MACHINE_NAMES, machineProfile } from '../../harness/runtime/qemu/machine.ts';

describe('machine profiles', () => {
  it('an aarch64 guest boots the virt board with GICv3, its PL011 console and virtio-pci devices (disks named in command-line order)', () => {
    const virt = machineProfile(defaultMachine('aarch64'));
    expect(virt).toMatchObject({ name: 'virt', arch: 'aarch64', qemuBinary: 'qemu-system-aarch64', consoleDevice: 'ttyAMA0', virtioSuffix: '-pci' });
    expect(virt.machineArg).toBe('virt,gic-version=3');
  });

  it('under TCG virt names a fast 64-bit model, never plain max (QARMA pointer auth is slow to emulate)', () => {
    expect(acceleratorArgs('tcg', machineProfile('virt'))).toEqual(['-accel', 'tcg,tb-size=128', '-cpu', 'cortex-a72']);
  });

  it('every profile passes the host CPU through under KVM and HVF', () => {
    for (const name of MACHINE_NAMES) {
      for (const accel of ['kvm', 'hvf'] as const) expect(acceleratorArgs(accel, machineProfile(name))).toEqual(['-accel', accel, '-cpu', 'host']);
    }
  });
});
