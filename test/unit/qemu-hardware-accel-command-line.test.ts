/** The command lines a KVM or HVF host runs; no such host is at hand, so they are checked here. */
import { describe, expect, it } from 'vitest';
import { kernelBootArgs, qemuArgs, type CommandLineInput } from '../../harness/runtime/qemu/command-line.ts';
import { machineProfile, type MachineName } from '../../harness/runtime/qemu/machine.ts';
import type { Accelerator } from '../../harness/contract/run-target.ts';
import { VM_PATHS } from './fixtures/vm-paths.ts';

function input(machine: MachineName, accel: Accelerator): CommandLineInput {
  return {
    machine: machineProfile(machine),
    accel,
    kernel: '/img/vmlinuz',
    initramfs: '/img/initramfs.cpio.gz',
    memoryMiB: 256,
    vcpus: 2,
    kernelArgs: ['gauntlet.agent=1'],
    paths: VM_PATHS,
    balloon: { freePageReporting: true },
    discard: true,
    writeErrorPolicy: 'enospc',
    readErrorPolicy: 'report',
  };
}

/** The value after each occurrence of `flag`. */
function valuesOf(args: string[], flag: string): string[] {
  return args.flatMap((arg, index) => (arg === flag ? [args[index + 1]!] : []));
}

const CELLS = [
  ['microvm', 'kvm', 'x86_64', 'console=ttyS0'],
  ['virt', 'kvm', 'aarch64', 'console=ttyAMA0'],
  ['virt', 'hvf', 'aarch64', 'console=ttyAMA0'],
  ['microvm', 'hvf', 'x86_64', 'console=ttyS0'],
] as const;

describe.each(CELLS)('%s under %s', (machine, accel, arch, console) => {
  const args = qemuArgs(input(machine, accel));

  it(`passes the host CPU through: -accel ${accel} -cpu host, once each`, () => {
    expect(valuesOf(args, '-accel')).toEqual([accel]);
    expect(valuesOf(args, '-cpu')).toEqual(['host']);
    const at = args.indexOf('-accel');
    expect(args.slice(at, at + 4)).toEqual(['-accel', accel, '-cpu', 'host']);
  });

  it(`boots the ${arch} board of its profile`, () => {
    expect(machineProfile(machine).arch).toBe(arch);
    expect(valuesOf(args, '-M')).toEqual([machineProfile(machine).machineArg]);
    expect(machineProfile(machine).machineArg.split(',')[0]).toBe(machine);
  });

  it('carries no TCG-only argument (translation cache size, early TSC rate)', () => {
    const line = args.join(' ');
    expect(line).not.toMatch(/tb-size|tsc_early_khz|tcg/);
    expect(valuesOf(args, '-append')).toEqual([`${console} panic=-1 gauntlet.agent=1`]);
  });

  it('the probe boot (kernel only) uses the same accelerator arguments', () => {
    const boot = kernelBootArgs(input(machine, accel));
    expect(valuesOf(boot, '-accel')).toEqual([accel]);
    expect(valuesOf(boot, '-cpu')).toEqual(['host']);
    expect(boot.join(' ')).not.toMatch(/tb-size|tsc_early_khz/);
  });
});

it('the full KVM command line of an x86_64 microvm, as a KVM runner gets it', () => {
  expect(qemuArgs(input('microvm', 'kvm'))).toEqual([
    '-M', machineProfile('microvm').machineArg,
    '-accel', 'kvm', '-cpu', 'host',
    '-m', '256', '-smp', '2',
    '-nodefaults', '-no-user-config', '-nographic', '-no-reboot',
    '-kernel', '/img/vmlinuz',
    '-initrd', '/img/initramfs.cpio.gz',
    '-append', 'console=ttyS0 panic=-1 gauntlet.agent=1',
    '-pidfile', '/tmp/g/vmm.pid',
    '-chardev', 'file,id=console,path=/tmp/g/console.pipe',
    '-serial', 'chardev:console',
    '-qmp', 'unix:/tmp/g/qmp.sock,server=on,wait=off',
    '-chardev', 'socket,id=control,path=/tmp/g/ctl.sock,server=on,wait=off',
    '-mon', 'chardev=control,mode=control',
    '-drive', 'id=root,file=/tmp/g/root.qcow2,format=qcow2,if=none,discard=unmap,werror=enospc,rerror=report',
    '-device', 'virtio-blk-device,drive=root',
    '-device', 'virtio-serial-device,id=agentbus,max_ports=2',
    '-chardev', 'socket,id=agent,path=/tmp/g/agent.sock,server=on,wait=off',
    '-device', 'virtserialport,bus=agentbus.0,chardev=agent,name=gauntlet.agent,id=agentport',
    '-device', 'virtio-balloon-device,id=balloon0,free-page-reporting=on,deflate-on-oom=off',
  ]);
});

it("the KVM command line of an aarch64 virt guest: GICv3 board, the profile's virtio transport, the PL011 console", () => {
  const virt = machineProfile('virt');
  const args = qemuArgs(input('virt', 'kvm'));
  expect(args.slice(0, 6)).toEqual(['-M', virt.machineArg, '-accel', 'kvm', '-cpu', 'host']);
  expect(virt.machineArg).toContain('gic-version=3');
  expect(valuesOf(args, '-append')).toEqual(['console=ttyAMA0 panic=-1 gauntlet.agent=1']);
  expect(valuesOf(args, '-device')).toEqual([
    `virtio-blk${virt.virtioSuffix},drive=root`,
    `virtio-serial${virt.virtioSuffix},id=agentbus,max_ports=2`,
    'virtserialport,bus=agentbus.0,chardev=agent,name=gauntlet.agent,id=agentport',
    `virtio-balloon${virt.virtioSuffix},id=balloon0,free-page-reporting=on,deflate-on-oom=off`,
  ]);
});
