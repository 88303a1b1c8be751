/**
 * `qemu-img check` of a VM's disk files, whatever state the VM is in.
 *
 * A running QEMU holds the images' write lock, so a plain check is refused; `-U` (force-share) reads
 * anyway, but from a running VM it sees metadata mid-update (qcow2 keeps L2 and refcount tables in a
 * cache) and reports leaks or corruptions that are not there. So a running VM is paused first: QMP
 * `stop` drains in-flight requests and flushes those caches, and while it stays paused nothing writes,
 * so the `-U` read is of a consistent image. Pausing rather than shutting down costs milliseconds and
 * leaves the guest exactly as the case left it. A VM that is already paused (by the case, or by the VMM
 * after a host I/O error) stays paused; a VM whose VMM has exited needs no `-U`.
 */
import { execa } from 'execa';
import type { QmpClient } from './qmp-client.ts';
import type { DiskImageCheck } from '../../contract/sandbox.ts';

/** qemu-img check's exit codes: 0 clean, 2 corrupted, 3 only leaks. Anything else is no verdict. */
const CHECK_COMPLETED = new Set([0, 2, 3]);

interface QemuImgCheckJson {
  'check-errors'?: number;
  corruptions?: number;
  leaks?: number;
}

/** `live` is the QMP connection of a VMM that is still running, undefined once it has exited. */
export async function checkDiskImages(qemuImg: string, files: readonly string[], live: QmpClient | undefined): Promise<DiskImageCheck[]> {
  if (!live) return Promise.all(files.map((file) => checkImage(qemuImg, file, false)));
  const { running } = await live.execute<{ running: boolean }>('query-status');
  if (running) await live.execute('stop');
  try {
    return await Promise.all(files.map((file) => checkImage(qemuImg, file, true)));
  } finally {
    if (running) await live.execute('cont');
  }
}

async function checkImage(qemuImg: string, file: string, forceShare: boolean): Promise<DiskImageCheck> {
  const result = await execa(qemuImg, ['check', ...(forceShare ? ['-U'] : []), '--output=json', file], { reject: false });
  return parseQemuImgCheck(file, result.exitCode ?? -1, result.stdout, result.stderr);
}

export function parseQemuImgCheck(file: string, exitCode: number, stdout: string, stderr: string): DiskImageCheck {
  const report = [stdout.trim(), stderr.trim()].filter(Boolean).join('\n') || `qemu-img check exited ${exitCode} without output`;
  const json = CHECK_COMPLETED.has(exitCode) ? parseJson(stdout) : undefined;
  // No verdict (an internal error, an unsupported format, unreadable output) counts as an error:
  // an image nobody could check must not pass as consistent.
  if (!json) return { file, errors: 1, leaks: 0, report };
  const errors = (json['check-errors'] ?? 0) + (json.corruptions ?? 0);
  return { file, errors: exitCode === 2 ? Math.max(errors, 1) : errors, leaks: json.leaks ?? 0, report };
}

function parseJson(text: string): QemuImgCheckJson | undefined {
  try {
    return JSON.parse(text) as QemuImgCheckJson;
  } catch {
    return undefined;
  }
}
