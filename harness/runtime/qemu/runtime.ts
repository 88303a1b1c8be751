/** The reference runtime: Debian's QEMU booting our guest image. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DISK, VM_DEFAULTS } from '../../config/constants.ts';
import { thisHost, type HostPlatform } from '../../host/platform.ts';
import { ensureRootfsBase, type GuestImage } from '../../image/index.ts';
import { SandboxCreateError } from '../create-error.ts';
import type { Accelerator, Capability, Runtime, Sandbox, SandboxSpec } from '../types.ts';
import { qemuCapabilities } from './capabilities.ts';
import type { MachineProfile } from './machine.ts';
import { QemuVm } from './vm.ts';

export interface QemuRuntimeOptions {
  qemuBinary: string;
  machine: MachineProfile;
  accel: Accelerator;
  image: GuestImage;
  /** A kernel of the user's in place of the image's. */
  kernel?: string;
  runDir: string;
}

export class QemuRuntime implements Runtime {
  readonly name = 'qemu';
  readonly capabilities: ReadonlySet<Capability>;
  readonly missingOnThisHost: ReadonlyMap<Capability, string>;
  private created = 0;

  constructor(
    private readonly options: QemuRuntimeOptions,
    host: Pick<HostPlatform, 'platform'> = thisHost,
  ) {
    const { capabilities, missingOnThisHost } = qemuCapabilities(host);
    this.capabilities = capabilities;
    this.missingOnThisHost = missingOnThisHost;
  }

  get accelerator(): Accelerator {
    return this.options.accel;
  }

  async create(spec: SandboxSpec): Promise<Sandbox> {
    const { image, runDir } = this.options;
    const oversized = spec.faults?.includes('oversized-rootfs');
    const rootBase = await ensureRootfsBase(image, {
      sizeMiB: oversized ? DISK.oversizedRootfsMiB : (spec.disk?.rootfsMiB ?? VM_DEFAULTS.rootfsMiB),
      inodes: spec.disk?.rootfsInodes,
    });
    // A leaked overlay stays in the directory the caller gave for the disks, as a real leak would, so
    // measuring that directory finds it.
    const leakDir = path.join(spec.disk?.overlayDir ?? runDir, 'leaked');
    await mkdir(leakDir, { recursive: true });
    // Short directory names: unix socket paths are limited to ~107 bytes.
    const vmDir = path.join(runDir, `${process.pid.toString(36)}${(this.created++).toString(36)}-${spec.name.replace(/[^\w-]/g, '').slice(0, 16)}`);
    const vm = new QemuVm(spec, {
      qemuBinary: this.options.qemuBinary,
      machine: this.options.machine,
      accel: this.options.accel,
      kernel: this.options.kernel ?? image.kernel,
      initramfs: image.initramfs,
      rootBase,
      vmDir,
      leakDir,
    });
    try {
      await vm.create();
    } catch (error) {
      await vm.destroy().catch(() => {});
      throw new SandboxCreateError((error as Error).message, await vm.leftovers());
    }
    return vm;
  }
}
