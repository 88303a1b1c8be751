/** The reference runtime: Debian's QEMU booting our guest image. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { thisHost, type HostPlatform } from '../../host/platform.ts';
import type { PreparedImage } from '../../contract/prepared-target.ts';
import { ensureRootfsBase } from '../../image/index.ts';
import { qemuBaseFormat } from './disk-format.ts';
import { SandboxCreateError } from '../../contract/create-error.ts';
import type { Accelerator } from '../../contract/run-target.ts';
import type { Capability, Runtime, Sandbox, SandboxSpec, SavedStateFacts } from '../../contract/sandbox.ts';
import { qemuCapabilities } from './capabilities.ts';
import { QEMU_FAULTS } from './faults.ts';
import type { Fault } from '../../contract/faults.ts';
import type { MachineProfile } from './machine.ts';
import { keptAcrossRuns, profileKey, restoreUnsupported, SnapshotStore, templateSpec, type SavedVmState } from './snapshot.ts';
import { fileIdentity, snapshotCacheDir } from './snapshot-cache.ts';
import { readyToSave } from './restored-guest.ts';
import { QemuVm, type QemuVmContext } from './vm.ts';
import { rootBaseShape, type VmTarget } from './vm-shape.ts';

export interface QemuRuntimeOptions {
  qemuBinary: string;
  machine: MachineProfile;
  accel: Accelerator;
  image: PreparedImage;
  /** A kernel of the user's in place of the image's. */
  kernel?: string;
  runDir: string;
  /** `--cold`: no VM is restored; the snapshot capability is missing, with this as the reason. */
  cold?: boolean;
}

const COLD_RUN = 'the run boots every VM cold (--cold), and a snapshot case has no cold form';

export class QemuRuntime implements Runtime {
  readonly name = 'qemu';
  readonly capabilities: ReadonlySet<Capability>;
  readonly missingOnThisHost: ReadonlyMap<Capability, string>;
  readonly faults: ReadonlySet<Fault> = new Set(QEMU_FAULTS);
  private created = 0;
  private readonly keptSnapshots: SnapshotStore;
  private readonly runSnapshots: SnapshotStore;

  constructor(
    private readonly options: QemuRuntimeOptions,
    host: Pick<HostPlatform, 'platform'> = thisHost,
  ) {
    const { capabilities, missingOnThisHost } = qemuCapabilities(host);
    this.capabilities = options.cold ? new Set([...capabilities].filter((capability) => capability !== 'snapshot')) : capabilities;
    this.missingOnThisHost = options.cold ? new Map([...missingOnThisHost, ['snapshot', COLD_RUN]]) : missingOnThisHost;
    const { image, qemuBinary, accel } = options;
    const { kernel, initramfs } = this.target;
    const runSnapshotsDir = path.join(options.runDir, 'snapshots');
    this.keptSnapshots = new SnapshotStore(() => snapshotCacheDir({ imageDir: image.dir, qemuBinary, kernel, initramfs, accel }), runSnapshotsDir);
    this.runSnapshots = new SnapshotStore(async () => runSnapshotsDir, runSnapshotsDir);
  }

  private get target(): VmTarget {
    const { machine, accel, kernel, image } = this.options;
    return { machine, accel, kernel: kernel ?? image.kernel, initramfs: image.initramfs };
  }

  get accelerator(): Accelerator {
    return this.options.accel;
  }

  async create(spec: SandboxSpec): Promise<Sandbox> {
    if (!spec.restore) return this.boot(spec);
    const fallback = this.options.cold ? COLD_RUN : restoreUnsupported(spec);
    if (fallback) return this.boot(spec, { restoreFallback: `booted cold: ${fallback}` });
    const rootBase = await this.rootBase(spec);
    const store = keptAcrossRuns(spec) ? this.keptSnapshots : this.runSnapshots;
    const saved = await store.get(profileKey(spec, this.target, await fileIdentity(rootBase)), (files) => this.saveTemplate(spec, files));
    return this.boot(spec, { restoreFrom: saved });
  }

  /** Boots a VM of the profile cold, brings its balloon where the profile says, and saves it. */
  private async saveTemplate(spec: SandboxSpec, files: SavedVmState): Promise<void> {
    const template = await this.boot(templateSpec(spec, `snapshot-${path.basename(path.dirname(files.stateFile)).split('.')[0]}`));
    try {
      const balloonTargetMiB = typeof spec.restore === 'object' ? spec.restore.balloonTargetMiB : undefined;
      if (balloonTargetMiB !== undefined) {
        const balloon = template.balloon();
        if (!balloon) throw new Error('the profile inflates the balloon before saving, but the VM has none');
        await balloon.connect();
        await balloon.inflate(balloonTargetMiB).finally(() => balloon.close());
      }
      const guestUptimeSeconds = await readyToSave(template, typeof spec.restore === 'object' ? spec.restore.savedAtUptimeSeconds : undefined);
      await template.saveTo(files);
      const facts: SavedStateFacts = { savedAtMs: Date.now(), guestUptimeSeconds };
      await writeFile(files.factsFile, JSON.stringify(facts));
    } finally {
      await template.destroy();
    }
  }

  private rootBase(spec: SandboxSpec): Promise<string> {
    return ensureRootfsBase(this.options.image, rootBaseShape(spec), qemuBaseFormat(this.options.qemuBinary));
  }

  private async boot(spec: SandboxSpec, restore: Pick<QemuVmContext, 'restoreFrom' | 'restoreFallback'> = {}): Promise<QemuVm> {
    const { runDir } = this.options;
    const rootBase = await this.rootBase(spec);
    // A leaked overlay stays in the directory the caller gave for the disks, as a real leak would, so
    // measuring that directory finds it.
    const leakDir = path.join(spec.disk?.overlayDir ?? runDir, 'leaked');
    await mkdir(leakDir, { recursive: true });
    // Short directory names: unix socket paths are limited to ~107 bytes.
    const vmDir = path.join(runDir, `${process.pid.toString(36)}${(this.created++).toString(36)}-${spec.name.replace(/[^\w-]/g, '').slice(0, 16)}`);
    const vm = new QemuVm(spec, {
      qemuBinary: this.options.qemuBinary,
      ...this.target,
      rootBase,
      vmDir,
      leakDir,
      ...restore,
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
