/**
 * Builds one guest image into a temp dir next to its final place and renames it there when complete:
 * an interrupted build leaves no half image, only a temp dir that the next build sweeps.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { aptStateFor } from './apt-state.ts';
import { busyboxApplets } from './busybox.ts';
import { IMAGE_FILES, imageDirName, imagesRoot } from './cache-paths.ts';
import { downloadPackage, resolvePackages, unpackDeb, type ResolvedPackage } from './debian-packages.ts';
import { writeInitramfs } from './initramfs.ts';
import { collectModules } from './kernel-modules.ts';
import { artifact, writeManifest } from './manifest.ts';
import { FIXTURES_DIR, loadRecipe } from './recipe.ts';
import { sourceDateEpoch } from './reproducible.ts';
import { buildRootfsTree } from './rootfs-tree.ts';
import type { GuestArch, ImageManifest } from './types.ts';
import { uncompressedKernel } from './uncompressed-kernel.ts';

export const GUEST_FILES = {
  initramfsInit: path.join(FIXTURES_DIR, 'guest', 'initramfs-init.sh'),
  rootfsInit: path.join(FIXTURES_DIR, 'guest', 'rootfs-init.sh'),
  agent: path.join(FIXTURES_DIR, 'guest', 'agent', 'gauntlet-agent.sh'),
  cmdlineLib: path.join(FIXTURES_DIR, 'guest', 'lib', 'cmdline.sh'),
  fstab: path.join(FIXTURES_DIR, 'guest', 'fstab'),
  workloads: path.join(FIXTURES_DIR, 'workloads'),
};

export function tempPrefix(arch: GuestArch, hash: string): string {
  return `.tmp-${imageDirName(arch, hash)}-`;
}

/** Leftovers of builds that were killed; only called while holding the build lock. */
export async function sweepTempDirs(cacheDir: string, arch: GuestArch, hash: string): Promise<void> {
  const root = imagesRoot(cacheDir);
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (name.startsWith(tempPrefix(arch, hash))) await rm(path.join(root, name), { recursive: true, force: true });
  }
}

async function firstExisting(...candidates: string[]): Promise<string> {
  for (const candidate of candidates) {
    if (await stat(candidate).then(() => true, () => false)) return candidate;
  }
  throw new Error(`none of ${candidates.join(', ')} exists`);
}

export async function buildImage(opts: {
  arch: GuestArch;
  hash: string;
  cacheDir: string;
  finalDir: string;
  progress: (line: string) => void;
  /** A resolved --kernel-package instead of the recipe's kernel metapackage. */
  kernelPackage?: { name: string; version: string };
  aptSources?: readonly string[];
}): Promise<void> {
  const { arch, hash, progress } = opts;
  const recipe = await loadRecipe();
  const agentExists = await stat(GUEST_FILES.agent).then(() => true, () => false);
  if (!agentExists) throw new Error(`guest agent ${GUEST_FILES.agent} is missing`);

  await mkdir(imagesRoot(opts.cacheDir), { recursive: true });
  const dir = await mkdtemp(path.join(imagesRoot(opts.cacheDir), tempPrefix(arch, hash)));
  try {
    const work = path.join(dir, 'work');
    const debs = path.join(work, 'debs');
    const kernelTree = path.join(work, 'kernel');
    const busyboxTree = path.join(work, 'busybox');
    await mkdir(debs, { recursive: true });

    progress(`resolving ${opts.kernelPackage?.name ?? recipe.arches[arch].kernelPackage} and ${recipe.packages.join(', ')} for ${arch}`);
    const apt = await aptStateFor(recipe.arches[arch].debianArch, opts.cacheDir, progress, opts.aptSources);
    const resolved = await resolvePackages(recipe, arch, apt, opts.kernelPackage);
    const fetch = async (pkg: ResolvedPackage, into: string) => {
      progress(`downloading ${pkg.name} ${pkg.version}`);
      const deb = await downloadPackage(pkg, debs, apt);
      progress(`unpacking ${path.basename(deb)}`);
      await unpackDeb(deb, into);
    };
    await fetch(resolved.kernel, kernelTree);
    await fetch(resolved.others.find((p) => p.name === 'busybox-static')!, busyboxTree);

    const kver = resolved.kernelVersion;
    const vmlinuz = await firstExisting(path.join(kernelTree, 'boot', `vmlinuz-${kver}`), path.join(kernelTree, 'boot', `vmlinux-${kver}`));
    const modulesDir = await firstExisting(path.join(kernelTree, 'lib', 'modules', kver), path.join(kernelTree, 'usr', 'lib', 'modules', kver));
    const modules = await collectModules(modulesDir, recipe.modules);
    progress(`kernel ${kver}: modules in load order: ${modules.map((m) => m.name).join(' ')}`);

    const busyboxFile = path.join(busyboxTree, 'bin', 'busybox');
    const busybox = await readFile(busyboxFile);
    const applets = busyboxApplets(busybox);
    const mtime = sourceDateEpoch();

    await placeKernel(vmlinuz, path.join(dir, IMAGE_FILES.kernel), arch, progress);
    progress('building initramfs');
    await writeInitramfs(path.join(dir, IMAGE_FILES.initramfs), {
      init: await readFile(GUEST_FILES.initramfsInit),
      cmdlineLib: await readFile(GUEST_FILES.cmdlineLib),
      busybox,
      applets,
      modules,
      mtime,
    });
    progress('building rootfs tree');
    await buildRootfsTree({
      dir: path.join(dir, IMAGE_FILES.rootfsTree),
      arch,
      busyboxFile,
      applets,
      rootfsInit: GUEST_FILES.rootfsInit,
      agent: GUEST_FILES.agent,
      cmdlineLib: GUEST_FILES.cmdlineLib,
      fstab: GUEST_FILES.fstab,
      workloadsDir: GUEST_FILES.workloads,
      recipeHash: hash,
      mtime,
    });
    await rm(work, { recursive: true, force: true });

    const packages: Record<string, string> = {};
    for (const pkg of [resolved.kernelMeta, resolved.kernel, ...resolved.others]) packages[pkg.name] = pkg.version;
    const manifest: ImageManifest = {
      recipeHash: hash,
      arch,
      kernelVersion: kver,
      kernelPackage: { name: resolved.kernel.name, version: resolved.kernel.version },
      packages,
      artifacts: {
        kernel: await artifact(dir, IMAGE_FILES.kernel),
        initramfs: await artifact(dir, IMAGE_FILES.initramfs),
        busybox: await artifact(dir, `${IMAGE_FILES.rootfsTree}/bin/busybox`),
        agent: await artifact(dir, `${IMAGE_FILES.rootfsTree}/usr/sbin/gauntlet-agent`),
      },
      builtAt: new Date().toISOString(),
      modules: modules.map((m) => m.name),
    };
    // The manifest is written last: its presence marks a complete image.
    await writeManifest(dir, manifest);
    // mkdtemp made it private; the image is shared by every VM, whoever runs them.
    await chmod(dir, 0o755);
    await rename(dir, opts.finalDir);
    progress(`image ready: ${opts.finalDir}`);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The package's kernel, or on x86_64 the vmlinux inside it (uncompressed-kernel.ts says why). */
async function placeKernel(packaged: string, target: string, arch: GuestArch, progress: (line: string) => void): Promise<void> {
  if (arch === 'x86_64') {
    const unpacked = await uncompressedKernel(await readFile(packaged));
    if ('vmlinux' in unpacked) {
      progress(`kernel: its vmlinux unpacked from ${unpacked.compression} (${Math.round(unpacked.vmlinux.length / 1024 / 1024)} MiB), booted at its PVH entry`);
      await writeFile(target, unpacked.vmlinux);
      return;
    }
    progress(`kernel: the bzImage as packaged (${unpacked.keptBecause})`);
  }
  await rename(packaged, target);
}
