/**
 * Gets the guest's Debian packages through apt without installing anything on the host: apt-cache
 * picks the candidate versions, apt-get download fetches the .debs, dpkg-deb -x unpacks them. The
 * apt state (the host's, or a private one for a foreign architecture) comes from apt-state.ts.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { sandboxOptions, type AptState } from './apt-state.ts';
import type { Recipe } from './recipe.ts';
import type { GuestArch } from './types.ts';

export interface ResolvedPackage {
  name: string;
  version: string;
  /** What apt is asked for: name[:arch]=version, so download gets exactly what was resolved. */
  spec: string;
}

export interface ResolvedPackages {
  /** The metapackage named by the recipe (e.g. linux-image-cloud-amd64). */
  kernelMeta: ResolvedPackage;
  /** The concrete kernel it depends on (e.g. linux-image-6.1.0-56-cloud-amd64). */
  kernel: ResolvedPackage;
  kernelVersion: string;
  others: ResolvedPackage[];
}

/** Fields of the first stanza of `apt-cache show` output. */
export function parseStanza(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '') {
      if (Object.keys(fields).length) break;
      continue;
    }
    if (/^\s/.test(line) && last) {
      fields[last] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon);
    fields[last] = line.slice(colon + 1).trim();
  }
  return fields;
}

/** The concrete linux-image package and version a kernel metapackage's Depends pins. */
export function concreteKernel(depends: string): { name: string; version: string } | undefined {
  const match = /(?:^|[,|]\s*)(linux-image-[^\s,|(:]+)(?::\S+)?\s*\(\s*=\s*([^)\s]+)\s*\)/.exec(depends);
  return match ? { name: match[1]!, version: match[2]! } : undefined;
}

/** The candidate's stanza, or that of `version` exactly when one is asked for; empty when apt has neither. */
export async function showCandidate(name: string, apt: AptState, version?: string): Promise<Record<string, string>> {
  const which = version === undefined ? ['--no-all-versions', name] : [`${name}=${version}`];
  const result = await execa('apt-cache', [...apt.options, 'show', ...which], { reject: false, env: { LC_ALL: 'C' } });
  return result.exitCode === 0 ? parseStanza(result.stdout) : {};
}

/** Resolves packages for one arch; a private apt state gets one refresh when a package has no candidate. */
class CandidateFinder {
  private refreshed = false;
  constructor(private readonly apt: AptState, private readonly arch: GuestArch) {}

  async find(name: string, version?: string) {
    let fields = await showCandidate(name, this.apt, version);
    if (!fields.Version && this.apt.refresh && !this.refreshed) {
      this.refreshed = true;
      await this.apt.refresh();
      fields = await showCandidate(name, this.apt, version);
    }
    if (!fields.Version) {
      const hint = this.apt.refresh
        ? `the ${this.apt.debianArch} package lists were refreshed; check the host's apt sources`
        : 'run scripts/setup-host (it refreshes the apt lists)';
      const what = version === undefined ? `no candidate for ${name}` : `no ${name} version ${version} (apt-cache madison ${name} lists those it has)`;
      throw new Error(`apt has ${what} (${this.arch} guests); ${hint}`);
    }
    return { fields, spec: (version: string) => `${name}=${version}` };
  }
}

/** The version apt has of `name` for this arch: `version` itself once checked, or the candidate. */
export async function packageVersion(name: string, version: string | undefined, apt: AptState, arch: GuestArch): Promise<string> {
  return (await new CandidateFinder(apt, arch).find(name, version)).fields.Version!;
}

/**
 * The recipe's packages; the kernel is the recipe's metapackage, or `kernelChoice` (a resolved
 * --kernel-package): a metapackage again, or a concrete linux-image-<version> package itself.
 */
export async function resolvePackages(recipe: Recipe, arch: GuestArch, apt: AptState, kernelChoice?: { name: string; version: string }): Promise<ResolvedPackages> {
  const archRecipe = recipe.arches[arch];
  const finder = new CandidateFinder(apt, arch);
  const metaName = kernelChoice?.name ?? archRecipe.kernelPackage;
  const meta = await finder.find(metaName, kernelChoice?.version);
  const pinned = concreteKernel(meta.fields.Depends ?? '') ?? (kernelChoice && { name: kernelChoice.name, version: kernelChoice.version });
  if (!pinned) throw new Error(`${archRecipe.kernelPackage} ${meta.fields.Version} depends on no linux-image-<version> package (Depends: ${meta.fields.Depends ?? 'none'})`);
  const kernel = await finder.find(pinned.name, pinned.version);
  const others: ResolvedPackage[] = [];
  for (const name of recipe.packages) {
    const found = await finder.find(name);
    others.push({ name, version: found.fields.Version!, spec: found.spec(found.fields.Version!) });
  }
  return {
    kernelMeta: { name: metaName, version: meta.fields.Version!, spec: meta.spec(meta.fields.Version!) },
    // The metapackage pins an exact version; download that one even if a newer one is the candidate.
    kernel: { name: pinned.name, version: pinned.version, spec: kernel.spec(pinned.version) },
    kernelVersion: pinned.name.replace(/^linux-image-/, ''),
    others,
  };
}

/** Downloads one package into dir and returns the .deb's path. */
export async function downloadPackage(pkg: ResolvedPackage, dir: string, apt: AptState): Promise<string> {
  await execa('apt-get', [...apt.options, ...sandboxOptions(), '-q', 'download', pkg.spec], { cwd: dir, env: { LC_ALL: 'C' } });
  const debs = (await readdir(dir)).filter((f) => f.startsWith(`${pkg.name}_`) && f.endsWith('.deb'));
  if (debs.length !== 1) throw new Error(`apt-get download ${pkg.spec} left ${debs.length} matching .deb files in ${dir}`);
  return path.join(dir, debs[0]!);
}

export async function unpackDeb(deb: string, dir: string): Promise<void> {
  await execa('dpkg-deb', ['-x', deb, dir]);
}
