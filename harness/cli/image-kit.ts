/**
 * `gauntlet image export --for other-vmm DIR`: the harness's guest as a kit any VMM can boot (a
 * Firecracker or Cloud Hypervisor adapter, examples/python-adapter/): the kernel, the initramfs, a raw
 * ext4 root disk base, the kernel command line and the agent's transport, described in kit.json.
 * docs/guest-contract.md says what each part needs of the VMM.
 */
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AGENT, VM_DEFAULTS } from '../config/constants.ts';
import type { RunSettings } from '../config/settings.ts';
import { ensureGuestImage, ensureRootfsBase, ImageArchiveError, type GuestArch } from '../image/index.ts';
import { imageChoice, withResolvedKernelPackage } from '../run/image-choice.ts';
import { progress } from './progress.ts';

/** The UART a VMM of each arch most often gives (an 8250 on x86_64; QEMU virt's PL011 on aarch64). */
const CONSOLE: Record<GuestArch, string> = { x86_64: 'ttyS0', aarch64: 'ttyAMA0' };
/** The guest agent's virtio-serial port, which the agent finds by this name (docs/agent-protocol.md). */
const AGENT_PORT = 'gauntlet.agent';

export const KIT_FILES = { kernel: 'kernel', initramfs: 'initramfs.cpio.gz', rootfs: 'rootfs.ext4', description: 'kit.json' } as const;

export async function exportGuestKit(dir: string, given: RunSettings): Promise<number> {
  const existing = await readdir(dir).catch(() => []);
  if (existing.length > 0) throw new ImageArchiveError(`${dir} is not empty: the kit goes into a new or empty directory`);
  const settings = await withResolvedKernelPackage(given, progress);
  const image = await ensureGuestImage({ ...imageChoice(settings), onProgress: progress });
  progress(`raw root disk base of ${VM_DEFAULTS.rootfsMiB} MiB`);
  const rootfs = await ensureRootfsBase(image, { sizeMiB: VM_DEFAULTS.rootfsMiB });
  await mkdir(dir, { recursive: true });
  await copyFile(image.kernel, path.join(dir, KIT_FILES.kernel));
  await copyFile(image.initramfs, path.join(dir, KIT_FILES.initramfs));
  await copyFile(rootfs, path.join(dir, KIT_FILES.rootfs));
  const kit = {
    arch: image.arch,
    kernelVersion: image.kernelVersion,
    recipe: image.recipeHash,
    files: KIT_FILES,
    rootfsMiB: VM_DEFAULTS.rootfsMiB,
    kernelArgs: `console=${CONSOLE[image.arch]} panic=-1 quiet gauntlet.agent_timeout=${AGENT.productionReadTimeoutSeconds}`,
    rootDevice: 'the first virtio-blk disk (/dev/vda), writable: one copy of rootfs.ext4 (or an overlay of it) per VM',
    virtioTransports: ['mmio', 'pci'],
    agent: { transport: 'virtio-serial', portName: AGENT_PORT, protocol: 'docs/agent-protocol.md' },
    modules: image.manifest.modules,
  };
  await writeFile(path.join(dir, KIT_FILES.description), `${JSON.stringify(kit, null, 2)}\n`);
  console.log(`wrote the ${image.arch} guest kit (kernel ${image.kernelVersion}) to ${dir}: ${Object.values(KIT_FILES).join(', ')}`);
  return 0;
}
