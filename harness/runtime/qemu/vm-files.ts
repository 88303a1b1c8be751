/** Where one VM keeps its sockets, logs and overlays on the host, and making its disks. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { VmPaths } from './command-line.ts';

/** sun_path is 108 bytes on Linux and 104 on macOS, terminating NUL included. */
const SOCKET_PATH_LIMIT = process.platform === 'darwin' ? 103 : 107;

export async function createVmFiles(
  vmDir: string,
  overlayDir: string | undefined,
  withScratch: boolean,
): Promise<VmPaths> {
  await mkdir(vmDir, { recursive: true });
  const disks = overlayDir ?? vmDir;
  await mkdir(disks, { recursive: true });
  const paths: VmPaths = {
    qmpSocket: path.join(vmDir, 'qmp.sock'),
    controlSocket: path.join(vmDir, 'ctl.sock'),
    agentSocket: path.join(vmDir, 'agent.sock'),
    consoleLog: path.join(vmDir, 'console.log'),
    pidFile: path.join(vmDir, 'qemu.pid'),
    rootOverlay: path.join(disks, `${path.basename(vmDir)}-root.qcow2`),
    scratchOverlay: withScratch ? path.join(disks, `${path.basename(vmDir)}-scratch.qcow2`) : undefined,
  };
  for (const socket of [paths.qmpSocket, paths.controlSocket, paths.agentSocket]) {
    if (Buffer.byteLength(socket) > SOCKET_PATH_LIMIT) {
      throw new Error(`socket path too long for a unix socket (${Buffer.byteLength(socket)} > ${SOCKET_PATH_LIMIT} bytes): ${socket}; set GAUNTLET_RUN_DIR to a shorter directory`);
    }
  }
  return paths;
}

export async function createOverlay(qemuImg: string, base: string, overlay: string): Promise<void> {
  await execa(qemuImg, ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', base, overlay]);
}

export async function createEmptyDisk(qemuImg: string, file: string, sizeMiB: number): Promise<void> {
  await execa(qemuImg, ['create', '-q', '-f', 'qcow2', file, `${sizeMiB}M`]);
}

export function qemuImgBinary(qemuBinary: string): string {
  // A QEMU build under test ships its own qemu-img beside it; use that one when it is there.
  const sibling = path.join(path.dirname(qemuBinary), 'qemu-img');
  return path.isAbsolute(qemuBinary) ? sibling : 'qemu-img';
}
