/**
 * `gauntlet image export --for other-vmm DIR`: the harness's guest as a kit any VMM can boot (a
 * Firecracker or Cloud Hypervisor adapter, examples/python-adapter/): the kernel, the initramfs, a raw
 * ext4 root disk base, the kernel command line and the agent's transport, described in kit.json.
 * docs/guest-contract.md says what each part needs of the VMM.
 */
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AGENT, CASE_ROOTFS, VM_DEFAULTS } from '../config/constants.ts';
import type { RunSettings } from '../config/settings.ts';
import { ensureGuestImage, ensureRootfsBase, ImageArchiveError, type GuestArch, type RootfsLayout } from '../image/index.ts';
import { imageChoice, withResolvedKernelPackage } from '../image/image-choice.ts';
import { progress } from './progress.ts';

/** The UART a VMM of each arch most often gives (an 8250 on x86_64; the Arm virt board's PL011 on aarch64). */
const CONSOLE: Record<GuestArch, string> = { x86_64: 'ttyS0', aarch64: 'ttyAMA0' };
/** The guest agent's virtio-serial port, which the agent finds by this name (docs/agent-protocol.md). */
const AGENT_PORT = 'gauntlet.agent';

export const KIT_FILES = { kernel: 'kernel', initramfs: 'initramfs.cpio.gz', description: 'kit.json' } as const;

/** The root disk layouts the suites ask for (spec.disk.rootfsMiB, rootfsInodes), each a raw ext4 base. */
const KIT_ROOTFS: { file: string; layout: RootfsLayout }[] = [
  { file: 'rootfs.ext4', layout: { sizeMiB: VM_DEFAULTS.rootfsMiB } },
  { file: `rootfs-${CASE_ROOTFS.inodes}-inodes.ext4`, layout: { sizeMiB: VM_DEFAULTS.rootfsMiB, inodes: CASE_ROOTFS.inodes } },
];

export async function exportGuestKit(dir: string, given: RunSettings): Promise<number> {
  const existing = await readdir(dir).catch(() => []);
  if (existing.length > 0) throw new ImageArchiveError(`${dir} is not empty: the kit goes into a new or empty directory`);
  const settings = await withResolvedKernelPackage(given, progress);
  const image = await ensureGuestImage({ ...imageChoice(settings), onProgress: progress });
  await mkdir(dir, { recursive: true });
  await copyFile(image.kernel, path.join(dir, KIT_FILES.kernel));
  await copyFile(image.initramfs, path.join(dir, KIT_FILES.initramfs));
  for (const { file, layout } of KIT_ROOTFS) {
    progress(`raw root disk base ${file}`);
    await copyFile(await ensureRootfsBase(image, layout), path.join(dir, file));
  }
  const kit = {
    arch: image.arch,
    kernelVersion: image.kernelVersion,
    recipe: image.recipeHash,
    files: KIT_FILES,
    rootfs: KIT_ROOTFS.map(({ file, layout }) => ({ file, sizeMiB: layout.sizeMiB, ...(layout.inodes && { inodes: layout.inodes }) })),
    kernelArgs: `console=${CONSOLE[image.arch]} panic=-1 quiet gauntlet.agent_timeout=${AGENT.productionReadTimeoutSeconds}`,
    rootDevice: 'the first virtio-blk disk (/dev/vda), writable: one copy of a rootfs base (or an overlay of it) per VM',
    virtioTransports: ['mmio', 'pci'],
    agent: { transport: 'virtio-serial', portName: AGENT_PORT, protocol: 'docs/agent-protocol.md' },
    modules: image.manifest.modules,
  };
  await writeFile(path.join(dir, KIT_FILES.description), `${JSON.stringify(kit, null, 2)}\n`);
  const files = [...Object.values(KIT_FILES), ...KIT_ROOTFS.map(({ file }) => file)];
  console.log(`wrote the ${image.arch} guest kit (kernel ${image.kernelVersion}) to ${dir}: ${files.join(', ')}`);
  return 0;
}
