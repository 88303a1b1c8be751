/**
 * Which guest architecture a kernel file boots, read from its boot header. A `--kernel` that is not a
 * kernel (a text file, a module, an initramfs) or is one for the other architecture must stop the run
 * before any case, not fail every case as a verdict on the runtime.
 */
import { open } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { GuestArch } from '../contract/run-target.ts';

/** Bytes of the head that hold every header checked below. */
const HEAD_BYTES = 0x240;

/** ELF e_machine values of the two guest architectures. */
const ELF_MACHINE: Record<number, GuestArch> = { 62: 'x86_64', 183: 'aarch64' };

export type KernelFormat =
  | { arch: GuestArch; format: 'bzImage' | 'arm64 Image' | 'ELF vmlinux' }
  | { arch: undefined; why: string };

/** x86 boot protocol: "HdrS" at 0x202; arm64 Image header: "ARM\x64" at 0x38; or an ELF of the right machine. */
export function kernelFormatOf(head: Buffer): KernelFormat {
  if (head.length >= 0x206 && head.toString('latin1', 0x202, 0x206) === 'HdrS') return { arch: 'x86_64', format: 'bzImage' };
  if (head.length >= 0x3c && head.readUInt32LE(0x38) === 0x644d5241) return { arch: 'aarch64', format: 'arm64 Image' };
  if (head.length >= 20 && head.toString('latin1', 0, 4) === '\x7fELF') {
    const machine = head.readUInt16LE(18);
    const arch = ELF_MACHINE[machine];
    return arch ? { arch, format: 'ELF vmlinux' } : { arch: undefined, why: `an ELF file for machine ${machine}, not a kernel of either guest architecture` };
  }
  if (head.length === 0) return { arch: undefined, why: 'an empty file' };
  return { arch: undefined, why: 'not a kernel image (no x86 boot header, arm64 Image header or ELF header)' };
}

export async function readKernelFormat(file: string): Promise<KernelFormat> {
  const handle = await open(file, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    head = buffer.subarray(0, bytesRead);
    // arm64 kernels are often shipped gzipped (Image.gz), which the VMM unpacks itself.
    if (head[0] === 0x1f && head[1] === 0x8b) head = gunzipSync(await handle.readFile()).subarray(0, HEAD_BYTES);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'Z_DATA_ERROR') return { arch: undefined, why: 'a damaged gzip file' };
    throw error;
  } finally {
    await handle.close();
  }
  return kernelFormatOf(head);
}

/** One line naming what is wrong with `file` as a kernel for `arch`, or undefined when it fits. */
export async function kernelProblem(file: string, arch: GuestArch): Promise<string | undefined> {
  let format: KernelFormat;
  try {
    format = await readKernelFormat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `kernel not found: ${file}` : code === 'EISDIR' ? `kernel ${file} is a directory` : `kernel ${file} cannot be read (${code ?? (error as Error).message})`;
  }
  if (format.arch === undefined) return `kernel ${file} is ${format.why}`;
  if (format.arch !== arch) return `kernel ${file} is an ${format.arch} ${format.format}, not a kernel for ${arch} guests`;
  return undefined;
}
