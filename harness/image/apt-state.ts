/**
 * Which apt state the guest's packages come from. The host's own architecture uses the host's apt
 * as it is. A foreign one (arm64 packages on an amd64 host) gets a private state directory in the
 * gauntlet cache: its own package lists, package cache and an empty dpkg status, read through the
 * host's sources, proxy and keys. The host's dpkg architectures and apt configuration stay untouched.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

export interface AptState {
  debianArch: string;
  /** `-o` options that point apt-get and apt-cache at this state; none for the host's own. */
  options: string[];
  /** Fetches fresh package lists into a private state; undefined for the host's (setup-host does that). */
  refresh: (() => Promise<void>) | undefined;
}

export function privateAptDir(cacheDir: string, debianArch: string): string {
  return path.join(cacheDir, 'apt', debianArch);
}

/** The options apt needs to use the private state in dir for debianArch; exported for tests. */
export function privateAptOptions(dir: string, debianArch: string): string[] {
  return [
    ['APT::Architecture', debianArch],
    // Empty the list first (`::=`), or the host's own architectures would be fetched as well.
    ['APT::Architectures::', debianArch],
    ['Dir::State::Lists', path.join(dir, 'lists')],
    ['Dir::Cache', path.join(dir, 'cache')],
    ['Dir::State::status', path.join(dir, 'status')],
  ].flatMap(([key, value]) => ['-o', `${key}=${value}`]);
}

/** As root apt drops to the _apt user to fetch, which cannot write into a root-owned private dir. */
export function sandboxOptions(): string[] {
  return process.getuid?.() === 0 ? ['-o', 'APT::Sandbox::User=root'] : [];
}

export async function hostDebianArch(): Promise<string> {
  return (await execa('dpkg', ['--print-architecture'])).stdout.trim();
}

/**
 * The apt state for debianArch. A private one is created, and its lists fetched, only when they are
 * missing; a package without a candidate later asks for one refresh through `refresh`.
 */
export async function aptStateFor(debianArch: string, cacheDir: string, progress: (line: string) => void): Promise<AptState> {
  if (debianArch === (await hostDebianArch())) return { debianArch, options: [], refresh: undefined };
  const dir = privateAptDir(cacheDir, debianArch);
  const options = privateAptOptions(dir, debianArch);
  await mkdir(path.join(dir, 'lists', 'partial'), { recursive: true });
  await mkdir(path.join(dir, 'cache', 'archives', 'partial'), { recursive: true });
  // Nothing is installed in this state: apt resolves against an empty system.
  await writeFile(path.join(dir, 'status'), '', { flag: 'a' });
  const refresh = async () => {
    progress(`fetching ${debianArch} package lists into ${dir}`);
    const result = await execa('apt-get', [...options, ...sandboxOptions(), '-q', 'update'], { reject: false, env: { LC_ALL: 'C' } });
    if (result.exitCode !== 0) {
      const complaint = `${result.stderr}\n${result.stdout}`.split('\n').find((l) => /^(E|Err):/.test(l.trim()));
      throw new Error(`apt-get update for ${debianArch} failed: ${complaint?.trim() ?? `exit ${result.exitCode}`}`);
    }
  };
  const lists = await readdir(path.join(dir, 'lists')).catch(() => [] as string[]);
  // Lists may be stored compressed (…_Packages.lz4), depending on the host's apt configuration.
  if (!lists.some((name) => /_Packages(\.\w+)?$/.test(name))) await refresh();
  return { debianArch, options, refresh };
}
