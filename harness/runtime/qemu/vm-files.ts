/** Where one VM keeps its sockets, logs and overlays on the host, and making its disks. */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { thisHost, unixSocketPathLimit, type HostPlatform } from '../../host/platform.ts';
import { VMM_PID_FILE } from '../../contract/vmm-pid.ts';
import type { VmPaths } from './command-line.ts';

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
    consolePipe: path.join(vmDir, 'console.pipe'),
    consoleLog: path.join(vmDir, 'console.log'),
    pidFile: path.join(vmDir, VMM_PID_FILE),
    rootOverlay: path.join(disks, `${path.basename(vmDir)}-root.qcow2`),
    scratchOverlay: withScratch ? path.join(disks, `${path.basename(vmDir)}-scratch.qcow2`) : undefined,
  };
  requireSocketPathsFit([paths.qmpSocket, paths.controlSocket, paths.agentSocket]);
  return paths;
}

/** QEMU would fail to bind a longer one with a message that does not name the cause. */
export function requireSocketPathsFit(sockets: readonly string[], host: Pick<HostPlatform, 'platform'> = thisHost): void {
  const limit = unixSocketPathLimit(host);
  for (const socket of sockets) {
    const bytes = Buffer.byteLength(socket);
    if (bytes > limit) {
      throw new Error(`socket path too long for a unix socket on ${host.platform} (${bytes} > ${limit} bytes): ${socket}; set GAUNTLET_RUN_DIR to a shorter directory`);
    }
  }
}

/** lazyRefcounts (fault lazy-refcounts): QEMU then updates the image's refcounts only when it closes it cleanly. */
export async function createOverlay(qemuImg: string, base: string, overlay: string, options: { lazyRefcounts?: boolean } = {}): Promise<void> {
  const lazy = options.lazyRefcounts ? ['-o', 'lazy_refcounts=on'] : [];
  await execa(qemuImg, ['create', '-q', '-f', 'qcow2', ...lazy, '-F', 'qcow2', '-b', base, overlay]);
}

export async function createEmptyDisk(qemuImg: string, file: string, sizeMiB: number): Promise<void> {
  await execa(qemuImg, ['create', '-q', '-f', 'qcow2', file, `${sizeMiB}M`]);
}

/** The qemu-img of a QEMU build under test is the one beside its binary; without one there, the one on PATH. */
export function qemuImgBinary(qemuBinary: string, exists: (file: string) => boolean = existsSync): string {
  if (!qemuBinary.includes(path.sep)) return 'qemu-img';
  const sibling = path.join(path.dirname(path.resolve(qemuBinary)), 'qemu-img');
  return exists(sibling) ? sibling : 'qemu-img';
}
