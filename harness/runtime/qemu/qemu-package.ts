/**
 * `--qemu-package NAME[=VERSION]`: one packaged QEMU build (e.g. qemu-system-x86 from the host
 * mirror's backports suite, through `--apt-source`) fetched through apt without installing anything:
 * the system package, every package of the same version it depends on or recommends (common, data,
 * utils and each module package) downloaded into the cache and unpacked there. It runs through a
 * wrapper beside it that gives it its own data directory and its own module directory. QEMU also
 * looks for modules in the directory it was compiled for, where the host's own QEMU keeps its
 * modules, and aborts on one of another build ("Only modules from the same build can be loaded"):
 * since every module package of its version is unpacked, each module it asks for is found in its own
 * directory first. Cached by name and version; a build that needs a newer C library than the host's
 * (built for a later Debian release) is refused before anything is unpacked.
 */
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { aptStateFor, hostDebianArch, type AptState } from '../../image/apt-state.ts';
import { downloadPackage, packageVersion, showCandidate, unpackDeb } from '../../image/debian-packages.ts';
import type { GuestArch } from '../../contract/run-target.ts';
import { shellQuote } from '../../text/shell-quote.ts';
import { qemuMachine } from './machine.ts';

export class QemuPackageError extends Error {
  override name = 'QemuPackageError';
}

export interface QemuPackageChoice {
  name: string;
  /** Undefined: apt's candidate. */
  version: string | undefined;
}

/** A fetched build, as its manifest beside the wrapper records it. */
export interface FetchedQemu {
  name: string;
  version: string;
  /** Where apt found it: "URI SUITE/COMPONENT". */
  source: string;
  /** Every package unpacked, name=version. */
  packages: string[];
  /** The wrapper to run instead of the host's QEMU (qemu-img beside it). */
  binary: string;
}

const MANIFEST = 'fetched.json';

const PACKAGE_CHOICE = /^(qemu-system-[a-z0-9][a-z0-9.+-]*)(?:=([A-Za-z0-9.+~:-]+))?$/;

/** Why "NAME[=VERSION]" is no QEMU system package choice, in one line; undefined when it is one. */
export function qemuPackageProblem(text: string): string | undefined {
  return PACKAGE_CHOICE.test(text) ? undefined : `--qemu-package takes a Debian QEMU system package, qemu-system-…[=VERSION] (got ${text})`;
}

/** "NAME[=VERSION]" as given on the command line; throws one line for anything else. */
export function parseQemuPackage(text: string): QemuPackageChoice {
  const match = PACKAGE_CHOICE.exec(text);
  if (!match) throw new QemuPackageError(qemuPackageProblem(text)!);
  return { name: match[1]!, version: match[2] };
}

/** The lowest libc6 a package's Depends asks for (the release it was built for shows there first); undefined when it names none. */
export function libcNeeded(depends: string): string | undefined {
  return /(?:^|,)\s*libc6\s*\(\s*>=\s*([^)\s]+)\s*\)/.exec(depends)?.[1];
}

/** The packages named in a Depends/Recommends field, alternatives included, without versions or arch qualifiers. */
export function namedPackages(...fields: (string | undefined)[]): string[] {
  const names = fields.flatMap((field) => (field ?? '').split(/[,|]/).map((entry) => entry.trim().split(/[\s:(]/)[0]!));
  return [...new Set(names.filter(Boolean))];
}

/** "URI SUITE/COMPONENT" of `version` in `apt-cache madison` output ("name | version | URI suite/component arch Packages"). */
export function sourceOf(madison: string, version: string): string | undefined {
  for (const line of madison.split('\n')) {
    const [, lineVersion, where] = line.split('|').map((field) => field.trim());
    if (lineVersion === version && where) return where.replace(/\s+\S+\s+Packages$/, '');
  }
  return undefined;
}

/** The wrapper's text: QEMU with its own modules (QEMU_MODULE_DIR, searched first) and data directory (-L). */
export function wrapperScript(binary: string, moduleDir: string | undefined, dataDir: string | undefined): string {
  const env = moduleDir ? `QEMU_MODULE_DIR=${shellQuote(moduleDir)} ` : '';
  const data = dataDir ? ` -L ${shellQuote(dataDir)}` : '';
  return `#!/bin/sh\n# A packaged QEMU unpacked by microvm-gauntlet: its own modules and data, never the host's.\n${env}exec ${shellQuote(binary)}${data} "$@"\n`;
}

function buildDir(cacheDir: string, name: string, version: string): string {
  return path.join(cacheDir, 'qemu-builds', `${name}_${version.replace(/[^A-Za-z0-9.+~_-]/g, '_')}`);
}

/** The build a wrapper runs, when `binary` is one: what the run target and doctor name. */
export async function fetchedQemuBehind(binary: string): Promise<FetchedQemu | undefined> {
  const text = await readFile(path.join(path.dirname(binary), '..', MANIFEST), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const fetched = JSON.parse(text) as FetchedQemu;
  return path.resolve(fetched.binary) === path.resolve(binary) ? fetched : undefined;
}

async function cached(dir: string): Promise<FetchedQemu | undefined> {
  const text = await readFile(path.join(dir, MANIFEST), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as FetchedQemu);
}

export interface FetchOptions {
  /** The guest arch, whose QEMU binary the package must hold. */
  arch: GuestArch;
  cacheDir: string;
  aptSources: readonly string[];
  progress: (line: string) => void;
}

/** Fetches and unpacks the build once (cached by name and version); refuses a package for another Debian release. */
export async function fetchQemuPackage(choice: QemuPackageChoice, options: FetchOptions): Promise<FetchedQemu> {
  if (choice.version !== undefined) {
    const hit = await cached(buildDir(options.cacheDir, choice.name, choice.version));
    if (hit) return hit;
  }
  // QEMU runs on the host: the host's architecture, whatever the guest's.
  const apt = await aptStateFor(await hostDebianArch(), options.cacheDir, options.progress, options.aptSources);
  const version = await packageVersion(choice.name, choice.version, apt, options.arch);
  const dir = buildDir(options.cacheDir, choice.name, version);
  const hit = await cached(dir);
  if (hit) return hit;

  const system = await showCandidate(choice.name, apt, version);
  await refuseNewerLibc(choice.name, version, system.Depends ?? '');
  const companions = await sameVersionCompanions(namedPackages(system.Depends, system.Recommends, 'qemu-utils'), version, apt);
  const source = sourceOf((await execa('apt-cache', [...apt.options, 'madison', choice.name], { reject: false, env: { LC_ALL: 'C' } })).stdout, version) ?? 'unknown';

  await mkdir(path.dirname(dir), { recursive: true });
  const work = await mkdtemp(`${dir}.tmp-`);
  try {
    const root = path.join(work, 'root');
    const debs = path.join(work, 'debs');
    await mkdir(debs, { recursive: true });
    const packages = [choice.name, ...companions];
    for (const name of packages) {
      options.progress(`downloading ${name} ${version}`);
      await unpackDeb(await downloadPackage({ name, version, spec: `${name}=${version}` }, debs, apt), root);
    }
    await rm(debs, { recursive: true });
    const fetched = await placeWrappers(root, dir, work, { name: choice.name, version, source, packages: packages.map((name) => `${name}=${version}`) }, options.arch);
    // Another process may have finished the same build meanwhile: its copy is as good as this one.
    await rename(work, dir).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
    return (await cached(dir)) ?? fetched;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A package built for a later Debian release, whose binaries would not even load here, is refused in one line. */
async function refuseNewerLibc(name: string, version: string, depends: string): Promise<void> {
  const needed = libcNeeded(depends);
  const hostLibc = (await execa('dpkg-query', ['-W', '-f=${Version}', 'libc6'], { reject: false })).stdout.trim();
  if (needed === undefined || !hostLibc) return;
  const hostOlder = (await execa('dpkg', ['--compare-versions', hostLibc, 'lt', needed], { reject: false })).exitCode === 0;
  if (hostOlder) {
    throw new QemuPackageError(`${name} ${version} needs libc6 ${needed} or later and the host has ${hostLibc}: it was built for a later Debian release than this host's`);
  }
}

/** The named packages apt has at exactly `version`: the same build's common, data, utils and module packages. */
async function sameVersionCompanions(names: string[], version: string, apt: AptState): Promise<string[]> {
  const found: string[] = [];
  for (const name of names) if ((await showCandidate(name, apt, version)).Version === version) found.push(name);
  return found;
}

/** Writes the wrappers and the manifest into work (paths as they will be once work is renamed to dir). */
async function placeWrappers(root: string, dir: string, work: string, what: Omit<FetchedQemu, 'binary'>, arch: GuestArch): Promise<FetchedQemu> {
  const finalRoot = path.join(dir, path.relative(work, root));
  const binaryName = path.basename(qemuMachine({ arch, machine: undefined }).qemuBinary);
  if (!(await exists(path.join(root, 'usr', 'bin', binaryName)))) {
    throw new QemuPackageError(`${what.name} ${what.version} holds no usr/bin/${binaryName}, the ${arch} guests' QEMU (another arch's package?)`);
  }
  const moduleDir = await ownModuleDir(root);
  const dataDir = (await exists(path.join(root, 'usr', 'share', 'qemu'))) ? path.join(finalRoot, 'usr', 'share', 'qemu') : undefined;
  const bin = path.join(work, 'bin');
  await mkdir(bin);
  const finalModuleDir = moduleDir && path.join(finalRoot, path.relative(root, moduleDir));
  await writeFile(path.join(bin, binaryName), wrapperScript(path.join(finalRoot, 'usr', 'bin', binaryName), finalModuleDir, dataDir), { mode: 0o755 });
  // The disk image tool loads block modules from the same directory.
  if (await exists(path.join(root, 'usr', 'bin', 'qemu-img'))) {
    await writeFile(path.join(bin, 'qemu-img'), wrapperScript(path.join(finalRoot, 'usr', 'bin', 'qemu-img'), finalModuleDir, undefined), { mode: 0o755 });
  }
  const fetched: FetchedQemu = { ...what, binary: path.join(dir, 'bin', binaryName) };
  await writeFile(path.join(work, MANIFEST), `${JSON.stringify(fetched, null, 2)}\n`);
  return fetched;
}

/** usr/lib/<triplet>/qemu, where Debian's QEMU keeps its modules; undefined for a build without any. */
async function ownModuleDir(root: string): Promise<string | undefined> {
  const lib = path.join(root, 'usr', 'lib');
  for (const entry of await readdir(lib).catch(() => [] as string[])) {
    const candidate = path.join(lib, entry, 'qemu');
    if ((await readdir(candidate).catch(() => [] as string[])).some((file) => file.endsWith('.so'))) return candidate;
  }
  return undefined;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}
