/**
 * The PATH of a fresh `node:22-bookworm` container, made on this machine: every program on this
 * machine's PATH, linked into one directory, except QEMU's (every file of an installed qemu-*
 * package). Its `apt-get` is the real one followed by a link of each installed package's programs
 * into the directory, so the step that installs QEMU (scripts/setup-host) is what makes it visible
 * to the steps after it, and setup-host's "is it installed" (command -v) is answered as in the
 * container: no, until it has run apt-get. In a real fresh container (ci.yml's cell-dry-run job)
 * the same apt-get installs QEMU for real.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where Debian puts programs; the only directories a package's programs are linked from. */
const PROGRAM_DIRS = /^\/(usr\/)?(local\/)?s?bin\//;

export interface ContainerPath {
  dir: string;
  /** What was left out: QEMU's programs as this machine has them. */
  hidden: string[];
}

export function qemuPackageFiles(): string[] {
  let packages: string[];
  try {
    packages = execFileSync('dpkg-query', ['-W', '-f', '${db:Status-Status} ${Package}\\n', 'qemu-*'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.startsWith('installed '))
      .map((line) => line.split(' ')[1]!);
  } catch {
    // No qemu-* package known to dpkg at all: a fresh container.
    return [];
  }
  return packages.flatMap((name) => execFileSync('dpkg', ['-L', name], { encoding: 'utf8' }).split('\n')).filter((file) => PROGRAM_DIRS.test(file));
}

export function makeContainerPath(dir: string, hostPath = process.env.PATH ?? ''): ContainerPath {
  mkdirSync(dir, { recursive: true });
  const hiddenFiles = qemuPackageFiles();
  const hiddenNames = new Set(hiddenFiles.map((file) => path.basename(file)));
  // The container's own apt-get (below) takes the machine's place; the first directory of PATH wins.
  const linked = new Set(['apt-get']);
  for (const source of hostPath.split(path.delimiter).filter(Boolean)) {
    if (!existsSync(source) || !statSync(source).isDirectory()) continue;
    for (const name of readdirSync(source)) {
      if (hiddenNames.has(name) || name.startsWith('qemu-') || linked.has(name)) continue;
      symlinkSync(path.join(source, name), path.join(dir, name));
      linked.add(name);
    }
  }
  writeAptGet(dir);
  return { dir, hidden: [...hiddenNames].sort() };
}

/** apt-get as the container has it: the real one, then the programs of what it installed put on PATH. */
function writeAptGet(dir: string): void {
  const script = `#!/bin/sh
# The dry run's container apt-get (test/workflows/container-path.ts).
/usr/bin/apt-get "$@" || exit $?
verb=
for arg in "$@"; do
  case "$arg" in
    -*) ;;
    *) if [ -z "$verb" ]; then verb=$arg; elif [ "$verb" = install ]; then
         dpkg -L "\${arg%%=*}" | grep -E '${PROGRAM_DIRS.source.replaceAll('\\/', '/')}' | while read -r file; do
           [ -d "$file" ] || ln -sf "$file" "${dir}/$(basename "$file")"
         done
       fi ;;
  esac
done
`;
  const file = path.join(dir, 'apt-get');
  writeFileSync(file, script);
  chmodSync(file, 0o755);
}
