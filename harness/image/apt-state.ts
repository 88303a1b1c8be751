/**
 * Which apt state packages come from. The host's own architecture uses the host's apt as it is. A
 * foreign one (arm64 packages on an amd64 host), or any with sources the host does not list
 * (`--apt-source`, such as its mirror's backports suite), gets a private state directory in the
 * gauntlet cache: its own package lists, package cache and an empty dpkg status, read through the
 * host's sources (plus the extra ones, in its own sources list), proxy and keys. The host's dpkg
 * architectures and apt configuration stay untouched.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

export interface AptState {
  debianArch: string;
  /** `-o` options that point apt-get and apt-cache at this state; none for the host's own. */
  options: string[];
  /** Fetches fresh package lists into a private state; undefined for the host's (setup-host does that). */
  refresh: (() => Promise<void>) | undefined;
}

/** One directory per Debian architecture and set of extra sources: other sources, other lists. */
export function privateAptDir(cacheDir: string, debianArch: string, extraSources: readonly string[] = []): string {
  if (extraSources.length === 0) return path.join(cacheDir, 'apt', debianArch);
  const sourcesKey = createHash('sha256').update(extraSources.join('\n')).digest('hex').slice(0, 12);
  return path.join(cacheDir, 'apt', `${debianArch}+${sourcesKey}`);
}

/** An `--apt-source` is one one-line-style sources entry: "deb URI SUITE COMPONENT..." (or deb-src). */
export function aptSourceProblem(line: string): string | undefined {
  return /^deb(-src)?\s+(\[[^\]]*\]\s+)?\S+:\/\/\S+\s+\S+(\s+\S+)*$/.test(line.trim()) && !line.includes('\n')
    ? undefined
    : `--apt-source takes one sources line, "deb URI SUITE COMPONENT..." (got ${line})`;
}

/** The host's own sources.list, if it has one, with the extra lines after it (the parts directory stays the host's). */
const HOST_SOURCES_LIST = '/etc/apt/sources.list';

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
export async function aptStateFor(
  debianArch: string,
  cacheDir: string,
  progress: (line: string) => void,
  extraSources: readonly string[] = [],
): Promise<AptState> {
  if (debianArch === (await hostDebianArch()) && extraSources.length === 0) return { debianArch, options: [], refresh: undefined };
  const dir = privateAptDir(cacheDir, debianArch, extraSources);
  const options = privateAptOptions(dir, debianArch);
  await mkdir(path.join(dir, 'lists', 'partial'), { recursive: true });
  if (extraSources.length > 0) {
    const hostList = await readFile(HOST_SOURCES_LIST, 'utf8').catch(() => '');
    await writeFile(path.join(dir, 'sources.list'), `${hostList}${hostList && !hostList.endsWith('\n') ? '\n' : ''}${extraSources.join('\n')}\n`);
    options.push('-o', `Dir::Etc::SourceList=${path.join(dir, 'sources.list')}`);
  }
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
