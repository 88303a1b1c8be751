import { describe, expect, it } from 'vitest';
import { ENV, readSettings, settingsToEnv, SettingsError } from '../../harness/config/settings.ts';
import { adapterTarget } from '../../harness/runtime/exec-adapter/target.ts';
import type { InitializeResult } from '../../harness/runtime/exec-adapter/protocol.ts';
import { qemuBinaryFor, qemuMachine } from '../../harness/runtime/qemu/machine.ts';
import type { RunTarget } from '../../harness/contract/run-target.ts';

const hello = (extra: Partial<InitializeResult> = {}): InitializeResult => ({
  protocolVersion: 2,
  runtime: { name: 'boxlite', version: '0.4.2' },
  capabilities: [],
  faults: [],
  ...extra,
});

describe("an adapter's run target", () => {
  it('is what its initialize answer says: runtime, VMM and accelerator', () => {
    const target = adapterTarget('exec:./boxlite-adapter', hello({ vmm: { name: 'libkrun', version: '1.9.0' }, accelerator: 'kvm' }), { arch: 'x86_64', accelRequested: 'auto' });
    expect(target).toEqual({
      runtime: 'boxlite',
      runtimeVersion: '0.4.2',
      runtimeAdapter: 'exec:./boxlite-adapter',
      vmm: 'libkrun',
      vmmVersion: '1.9.0',
      accelerator: 'kvm',
      acceleratorReason: 'the adapter runs its guests on KVM: it gave no reason',
      arch: 'x86_64',
      tools: {},
    });
  });

  it("carries the adapter's own reason for its accelerator (its probe's verdict)", () => {
    const reason = 'KVM unusable (a probe guest did not boot); falling back to TCG';
    expect(adapterTarget('exec:a', hello({ accelerator: 'tcg', acceleratorReason: reason }), { arch: 'x86_64', accelRequested: 'auto' }).acceleratorReason).toBe(
      `the adapter runs its guests on TCG: ${reason}`,
    );
  });

  it('allows for TCG when the adapter names no accelerator', () => {
    expect(adapterTarget('exec:a', hello(), { arch: 'aarch64', accelRequested: 'auto' })).toMatchObject({ accelerator: 'tcg', acceleratorReason: 'the adapter names no accelerator: deadlines allow for TCG' });
  });

  it('refuses in one line a demanded accelerator the adapter does not run on', () => {
    expect(() => adapterTarget('exec:a', hello({ accelerator: 'tcg' }), { arch: 'x86_64', accelRequested: 'kvm' })).toThrow(
      new SettingsError('KVM was requested but the adapter exec:a runs its guests on TCG'),
    );
  });
});

describe('the run target in the settings', () => {
  it('travels to the workers through the environment unchanged', () => {
    const target: RunTarget = { runtime: 'qemu', vmm: 'qemu', vmmVersion: 'QEMU emulator version 7.2.22', vmmBinary: 'qemu-system-x86_64', accelerator: 'tcg', acceleratorReason: 'TCG requested', arch: 'x86_64', machine: 'microvm', tools: { 'qemu-img': 'qemu-img (7.2.22)' } };
    const env = settingsToEnv({ ...readSettings({}), target });
    expect(readSettings(env).target).toEqual(target);
    expect(() => readSettings({ [ENV.target]: '{not json' })).toThrow(SettingsError);
  });
});

describe('the QEMU runtime decides its machine and binary in one place', () => {
  it("takes --qemu, else the machine's own binary, and the arch's default machine", () => {
    expect(qemuBinaryFor({ arch: 'x86_64', machine: undefined, vmmBinary: undefined })).toBe('qemu-system-x86_64');
    expect(qemuBinaryFor({ arch: 'aarch64', machine: undefined, vmmBinary: undefined })).toBe('qemu-system-aarch64');
    expect(qemuBinaryFor({ arch: 'x86_64', machine: 'q35', vmmBinary: '/opt/q/qemu' })).toBe('/opt/q/qemu');
    expect(qemuMachine({ arch: 'aarch64', machine: undefined }).name).toBe('virt');
  });

  it('refuses, in one line, a machine it has no profile for or of another arch', () => {
    expect(() => qemuMachine({ arch: 'x86_64', machine: 'pc-i440fx' })).toThrow(new SettingsError('--machine (GAUNTLET_MACHINE) must be one of microvm, q35, virt (got pc-i440fx)'));
    expect(() => qemuMachine({ arch: 'x86_64', machine: 'virt' })).toThrow(new SettingsError('machine virt does not run x86_64 guests'));
  });
});
