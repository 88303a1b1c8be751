/**
 * Where the QEMU runtime keeps its saved states: beside the guest image they were booted from, so a
 * later run restores from them instead of booting and saving each profile again, and removing an image
 * removes its states with it.
 *
 * A saved state is memory and device state for one exact VMM, guest kernel and initramfs: restored
 * into another build it fails to load or, worse, runs the old guest while the run says it tried the
 * new one (a kernel regression hunt that swaps the file at one path). So the directory is named by
 * the content of each of those files, not their paths, and by the host CPU where a hardware
 * accelerator passes it through. The root disk base of each profile joins the profile's own key
 * (snapshot.ts), by file identity: a rebuilt base is a new file.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat, utimes } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SNAPSHOT } from './tuning.ts';
import { IMAGE_FILES } from '../../image/cache-paths.ts';
import { hostTool } from '../../image/host-tools.ts';
import type { Accelerator } from '../../contract/run-target.ts';

export interface SnapshotCacheInputs {
  imageDir: string;
  qemuBinary: string;
  kernel: string;
  initramfs: string;
  accel: Accelerator;
}

export async function snapshotCacheDir(inputs: SnapshotCacheInputs, hostCpu: string = hostCpuModel()): Promise<string> {
  const qemu = inputs.qemuBinary.includes('/') ? inputs.qemuBinary : await hostTool(inputs.qemuBinary);
  const identity = createHash('sha256');
  identity.update(JSON.stringify({ format: SNAPSHOT.storeFormat, accel: inputs.accel, hostCpu: inputs.accel === 'tcg' ? undefined : hostCpu }));
  for (const file of [qemu, inputs.kernel, inputs.initramfs]) identity.update(await fileDigest(file));
  const dir = path.join(inputs.imageDir, IMAGE_FILES.snapshots, identity.digest('hex').slice(0, 16));
  await mkdir(dir, { recursive: true });
  const now = new Date();
  await utimes(dir, now, now);
  await forgetOldBuilds(path.dirname(dir));
  return dir;
}

/**
 * Every QEMU or kernel build a run tries leaves its states (a bisection tries one per step): only the
 * builds used last are kept, each directory's time being its last use. Every worker of a run does
 * this as it starts, so a build another worker has just removed is passed over, not an error.
 */
async function forgetOldBuilds(snapshotsDir: string): Promise<void> {
  const builds = await Promise.all(
    (await readdir(snapshotsDir)).map(async (name) => ({ name, usedMs: await stat(path.join(snapshotsDir, name)).then((info) => info.mtimeMs, vanished) })),
  );
  const present = builds.filter((build): build is { name: string; usedMs: number } => build.usedMs !== undefined);
  present.sort((a, b) => b.usedMs - a.usedMs);
  for (const { name } of present.slice(SNAPSHOT.keptBuilds)) await rm(path.join(snapshotsDir, name), { recursive: true, force: true });
}

function vanished(error: NodeJS.ErrnoException): undefined {
  if (error.code !== 'ENOENT') throw error;
  return undefined;
}

/** What a profile's root disk base is on disk: a base built again, even alike, is another file. */
export async function fileIdentity(file: string): Promise<string> {
  const { ino, size, mtimeMs } = await stat(file);
  return `${path.resolve(file)}:${ino}:${size}:${mtimeMs}`;
}

async function fileDigest(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

function hostCpuModel(): string {
  return `${process.arch} ${cpus()[0]?.model ?? 'unknown'}`;
}
