import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT } from '../../harness/cli/exit-codes.ts';
import { main } from '../../harness/cli/main.ts';
import { kernelFormatOf, kernelProblem } from '../../harness/image/kernel-format.ts';
import { ensureWritableDir } from '../../harness/run/writable-dir.ts';
import { machineProfile } from '../../harness/runtime/qemu/machine.ts';
import { checkQemuBuild, type ToolRunner } from '../../harness/runtime/qemu/preflight.ts';
import { qemuImgBinary } from '../../harness/runtime/qemu/vm-files.ts';

/** The first bytes of real kernels: a bzImage's boot sector with HdrS, an arm64 Image header, an ELF vmlinux. */
function bzImageHead(): Buffer {
  const head = Buffer.alloc(0x240);
  head.write('MZ', 0, 'latin1');
  head.write('HdrS', 0x202, 'latin1');
  return head;
}
function arm64ImageHead(): Buffer {
  const head = Buffer.alloc(0x240);
  head.write('MZ', 0, 'latin1');
  head.write('ARMd', 0x38, 'latin1');
  return head;
}
function elfHead(machine: number): Buffer {
  const head = Buffer.alloc(64);
  head.write('\x7fELF', 0, 'latin1');
  head.writeUInt16LE(machine, 18);
  return head;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gauntlet-preflight-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kernel format', () => {
  it('tells the guest architecture from the boot header', () => {
    expect(kernelFormatOf(bzImageHead())).toEqual({ arch: 'x86_64', format: 'bzImage' });
    expect(kernelFormatOf(arm64ImageHead())).toEqual({ arch: 'aarch64', format: 'arm64 Image' });
    expect(kernelFormatOf(elfHead(62))).toEqual({ arch: 'x86_64', format: 'ELF vmlinux' });
    expect(kernelFormatOf(elfHead(183))).toEqual({ arch: 'aarch64', format: 'ELF vmlinux' });
    expect(kernelFormatOf(elfHead(40)).arch).toBeUndefined();
    expect(kernelFormatOf(Buffer.from('#!/bin/sh\necho not a kernel\n')).arch).toBeUndefined();
  });

  it('names a text file, a kernel of the other architecture, a directory and a missing file in one line', async () => {
    const text = path.join(dir, 'notes.txt');
    const arm = path.join(dir, 'Image');
    const gz = path.join(dir, 'Image.gz');
    await writeFile(text, 'hello\n');
    await writeFile(arm, arm64ImageHead());
    const { gzipSync } = await import('node:zlib');
    await writeFile(gz, gzipSync(arm64ImageHead()));
    expect(await kernelProblem(text, 'x86_64')).toMatch(/notes\.txt is not a kernel image \(no x86 boot header/);
    expect(await kernelProblem(arm, 'x86_64')).toBe(`kernel ${arm} is an aarch64 arm64 Image, not a kernel for x86_64 guests`);
    expect(await kernelProblem(arm, 'aarch64')).toBeUndefined();
    expect(await kernelProblem(gz, 'aarch64')).toBeUndefined();
    expect(await kernelProblem(dir, 'x86_64')).toBe(`kernel ${dir} is a directory`);
    expect(await kernelProblem(path.join(dir, 'absent'), 'x86_64')).toBe(`kernel not found: ${path.join(dir, 'absent')}`);
    for (const problem of [await kernelProblem(text, 'x86_64'), await kernelProblem(arm, 'x86_64')]) expect(problem).not.toContain('\n');
  });
});

describe('QEMU build preflight', () => {
  const microvm = machineProfile('microvm');
  const machineHelp = 'Supported machines are:\nmicrovm              microvm (i386)\nq35                  Standard PC (Q35 + ICH9, 2009)\n';
  const deviceHelp = ['virtio-blk-device', 'virtio-serial-device', 'virtserialport', 'virtio-balloon-device'].map((d) => `name "${d}", bus virtio-bus`).join('\n');
  const healthy: Record<string, string> = {
    '--version': 'QEMU emulator version 7.2.15\nCopyright',
    '-machine help': machineHelp,
    '-device help': deviceHelp,
  };
  const runner = (answers: Record<string, string | undefined>, imgAnswers = true): ToolRunner => async (binary, args) => {
    if (binary.endsWith('qemu-img')) return imgAnswers ? { ok: true, stdout: 'qemu-img version 7.2.15' } : { ok: false, stdout: '', why: 'ENOENT' };
    const stdout = answers[args.join(' ')];
    return stdout === undefined ? { ok: false, stdout: '', why: 'ENOENT' } : { ok: true, stdout };
  };

  it('accepts a build with the machine type, every device and a qemu-img', async () => {
    expect(await checkQemuBuild('qemu-system-x86_64', microvm, runner(healthy))).toEqual({
      qemuVersion: 'QEMU emulator version 7.2.15',
      qemuImg: 'qemu-img',
      qemuImgVersion: 'qemu-img version 7.2.15',
    });
  });

  it('refuses, in one line each, a binary that does not answer, a missing machine type, a missing device and no qemu-img', async () => {
    await expect(checkQemuBuild('/opt/q/qemu', microvm, runner({}))).rejects.toThrow('QEMU /opt/q/qemu is missing or does not answer --version (ENOENT)');
    await expect(checkQemuBuild('q', microvm, runner({ ...healthy, '-machine help': 'Supported machines are:\nq35 Standard PC\n' }))).rejects.toThrow(
      'QEMU q (QEMU emulator version 7.2.15) has no machine type microvm, which the microvm profile needs',
    );
    await expect(checkQemuBuild('q', microvm, runner({ ...healthy, '-device help': deviceHelp.replace('virtio-balloon-device', 'virtio-rng-device') }))).rejects.toThrow(
      'lacks the device model virtio-balloon-device, which the suites need',
    );
    await expect(checkQemuBuild('q', microvm, runner(healthy, false))).rejects.toThrow('no working qemu-img on PATH (ENOENT)');
  });

  it('quotes the error of a QEMU that aborts listing its devices, rather than calling the models missing', async () => {
    // A stand-in for a QEMU build that found a module of another build while listing its devices.
    const standIn = path.join(dir, 'qemu-aborts-on-devices');
    await writeFile(
      standIn,
      [
        '#!/bin/sh',
        'case "$*" in',
        '  --version) echo "QEMU emulator version 10.0.2"; exit 0 ;;',
        `  "-machine help") printf '%s\\n' 'Supported machines are:' 'microvm              microvm (i386)'; exit 0 ;;`,
        'esac',
        // What QEMU 10.0.2 printed here, finding the host's 7.2 modules in its compiled module directory.
        'echo "qemu-system-x86_64: -device help: failed to initialize module: /usr/lib/x86_64-linux-gnu/qemu/ui-opengl.so" >&2',
        'echo "Only modules from the same build can be loaded." >&2',
        'echo "qemu-system-x86_64: util/module.c:165: module_load_dso: Assertion \\`QTAILQ_EMPTY(&dso_init_list)\' failed." >&2',
        'kill -ABRT $$',
      ].join('\n'),
    );
    await chmod(standIn, 0o755);
    const refusal = checkQemuBuild(standIn, microvm);
    await expect(refusal).rejects.toThrow(
      `QEMU ${standIn} (QEMU emulator version 10.0.2) failed listing its device models (killed by SIGABRT): ` +
        '"qemu-system-x86_64: -device help: failed to initialize module: /usr/lib/x86_64-linux-gnu/qemu/ui-opengl.so / Only modules from the same build can be loaded."',
    );
    await expect(refusal).rejects.not.toThrow(/lacks the device model/);
  });

  it('uses the qemu-img beside a QEMU build when there is one, else the one on PATH', () => {
    expect(qemuImgBinary('qemu-system-x86_64')).toBe('qemu-img');
    expect(qemuImgBinary('/opt/qemu/bin/qemu-system-x86_64', () => true)).toBe('/opt/qemu/bin/qemu-img');
    expect(qemuImgBinary('/opt/qemu/bin/qemu-system-x86_64', () => false)).toBe('qemu-img');
    expect(qemuImgBinary('build/qemu-system-x86_64', () => true)).toBe(path.resolve('build/qemu-img'));
  });
});

describe('writable directories', () => {
  it('refuses a path through a file in one line', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, '');
    await expect(ensureWritableDir(path.join(file, 'reports'), 'reports directory')).rejects.toThrow(
      `reports directory ${path.join(file, 'reports')} cannot be created or written: a part of its path is a file, not a directory`,
    );
    await expect(ensureWritableDir(file, 'cache directory')).rejects.toThrow(/cache directory .* cannot be created or written: it exists and is not a directory/);
    await ensureWritableDir(path.join(dir, 'new', 'reports'), 'reports directory');
  });

  it.runIf(process.platform === 'linux')('refuses a directory under /proc instead of hanging (Node\'s recursive mkdir never returns there)', async () => {
    await expect(ensureWritableDir('/proc/gauntlet-reports/run', 'reports directory')).rejects.toThrow(
      'reports directory /proc/gauntlet-reports/run cannot be created or written: its parent directory does not take new entries',
    );
  });
});

describe('a run that cannot be made', () => {
  it('exits 2, or 125 with --bisect, with one line, before any case: not-a-kernel, a QEMU that does not answer, an unwritable reports dir', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const text = path.join(dir, 'bzImage');
    await writeFile(text, 'not a kernel\n');
    const silentQemu = path.join(dir, 'qemu-system-x86_64');
    await writeFile(silentQemu, '#!/bin/sh\nexit 1\n');
    await chmod(silentQemu, 0o755);
    const blocker = path.join(dir, 'blocker');
    await writeFile(blocker, '');
    try {
      const cases: [string[], RegExp][] = [
        [['run', 'lifecycle', '--arch', 'x86_64', '--kernel', text], /kernel .*bzImage is not a kernel image/],
        [['run', 'lifecycle', '--arch', 'x86_64', '--qemu', silentQemu], /QEMU .*qemu-system-x86_64 is missing or does not answer --version/],
        [['run', 'lifecycle', '--arch', 'x86_64', '--reports', path.join(blocker, 'r')], /reports directory .* a part of its path is a file/],
      ];
      for (const [argv, message] of cases) {
        error.mockClear();
        expect(await main(argv), argv.join(' ')).toBe(EXIT.environment);
        expect(await main([...argv, '--bisect']), argv.join(' ')).toBe(EXIT.bisectSkip);
        const printed = error.mock.calls.map((call) => call.join(' '));
        expect(printed.length, argv.join(' ')).toBe(2);
        for (const line of printed) {
          expect(line).toMatch(message);
          expect(line.split('\n')).toHaveLength(1);
        }
      }
    } finally {
      error.mockRestore();
      log.mockRestore();
    }
  }, 60_000);
});
