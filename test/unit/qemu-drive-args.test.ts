/** The root drive's options that the disk cases and faults depend on, as QEMU receives them. */
import { describe, expect, it } from 'vitest';
import { qemuArgs, ROOT_FILE_NODE, ROOT_STORAGE_NODE, type CommandLineInput } from '../../harness/runtime/qemu/command-line.ts';
import { machineProfile } from '../../harness/runtime/qemu/machine.ts';
import { VM_PATHS } from './fixtures/vm-paths.ts';

const base: CommandLineInput = {
  machine: machineProfile('microvm'),
  accel: 'tcg',
  kernel: '/img/vmlinuz',
  initramfs: '/img/initramfs.cpio.gz',
  memoryMiB: 256,
  vcpus: 1,
  kernelArgs: [],
  paths: { ...VM_PATHS, scratchOverlay: '/tmp/g/scratch.qcow2' },
  balloon: false,
  discard: true,
  writeErrorPolicy: 'stop',
  readErrorPolicy: 'report',
};

/** The option list of each -drive, by its id. */
function drives(input: CommandLineInput): Record<string, string[]> {
  const args = qemuArgs(input);
  const options = args.flatMap((arg, index) => (arg === '-drive' ? [args[index + 1]!.split(',')] : []));
  return Object.fromEntries(options.map((list) => [list.find((option) => option.startsWith('id='))!.slice(3), list]));
}

describe('drive options', () => {
  it('opens the image file directly by default', () => {
    const { root, scratch } = drives(base);
    expect(root).toContain('file=/tmp/g/root.qcow2');
    expect(root).toContain('werror=stop');
    expect(scratch).toContain('file=/tmp/g/scratch.qcow2');
    expect(root!.some((option) => option.startsWith('throttling.'))).toBe(false);
  });

  it('under hostStorageControl, puts a named raw layer between the root image and its file', () => {
    const { root, scratch } = drives({ ...base, hostStorageControl: true });
    expect(root).toEqual(
      expect.arrayContaining([
        'format=qcow2',
        'file.driver=raw',
        `file.node-name=${ROOT_STORAGE_NODE}`,
        'file.file.driver=file',
        'file.file.filename=/tmp/g/root.qcow2',
        `file.file.node-name=${ROOT_FILE_NODE}`,
      ]),
    );
    expect(root!.some((option) => option.startsWith('file='))).toBe(false);
    expect(scratch).toContain('file=/tmp/g/scratch.qcow2');
  });

  it('gives every drive the write limit when there is one', () => {
    const limited = drives({ ...base, writeLimit: { iops: 1, bytesPerSecond: 32768 } });
    for (const options of Object.values(limited)) {
      expect(options).toEqual(expect.arrayContaining(['throttling.iops-write=1', 'throttling.bps-write=32768']));
    }
  });
});

describe('what a restore and the VMM faults change on the command line', () => {
  const joined = (input: CommandLineInput) => qemuArgs(input).join(' ');

  it('boots by default: memory sized, nothing locked, not waiting for a saved state', () => {
    expect(joined(base)).toContain('-m 256');
    expect(joined(base)).not.toMatch(/-overcommit|-incoming|-S |locking=off/);
  });

  it('a restore starts paused, waiting for the saved state', () => {
    expect(qemuArgs({ ...base, incoming: true }).slice(-3)).toEqual(['-S', '-incoming', 'defer']);
  });

  it('vmm-default-memory leaves the memory size to QEMU; guest-memory-locked locks it all', () => {
    expect(qemuArgs({ ...base, memoryLeftToVmm: true })).not.toContain('-m');
    expect(joined({ ...base, lockGuestMemory: true })).toContain('-overcommit mem-lock=on');
  });

  it('restore-shares-overlay opens only that image without locking', () => {
    const { root, scratch } = drives({ ...base, unlockedImage: '/tmp/g/root.qcow2' });
    expect(root).toContain('file.locking=off');
    expect(scratch).not.toContain('file.locking=off');
  });
});
