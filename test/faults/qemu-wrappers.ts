/**
 * QEMU "builds" for the end-to-end tests of compare and bisect: shell wrappers around the QEMU a
 * run would use, each broken in one way a real build can be, and the CLI run as a user runs it.
 */
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { readSettings } from '../../harness/config/settings.ts';
import { REPO_ROOT } from '../../harness/image/recipe.ts';
import { qemuBinaryFor } from '../../harness/runtime/qemu/machine.ts';

/** The QEMU of this run: what every wrapper ends in. */
export function realQemu(): string {
  return qemuBinaryFor(readSettings());
}

/** Shell lines that run before the real QEMU is exec'd (with the same arguments). */
const BREAKAGES = {
  /** The same build: a baseline. */
  good: '',
  /** A build that starts 300 ms later (e.g. a slower device realize or option parsing): ~10 % of a TCG boot. */
  slow: 'sleep 0.3',
  /** A build whose virtio-balloon fails to realize: every VM with a balloon (all of them) fails to start. */
  'no-balloon': 'for arg; do case $arg in virtio-balloon*) echo "qemu: -device $arg: virtio-balloon failed to realize" >&2; exit 1;; esac; done',
  /** A build that does not even answer --version: not a verdict, the commit must be skipped. */
  'no-version': '[ "${1:-}" = --version ] && exit 1',
} as const;

export type QemuBuild = keyof typeof BREAKAGES;

/**
 * Writes the wrapper for `build` into a fresh directory and returns its path. Not named gauntlet-*:
 * every run reaps the /tmp/gauntlet-* directories no live run owns, and the wrapper must outlive one.
 */
export async function qemuWrapper(build: QemuBuild): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), `e2e-qemu-${build}-`)), `qemu-${build}`);
  await writeFile(file, `#!/bin/sh\n${BREAKAGES[build]}\nexec ${realQemu()} "$@"\n`);
  await chmod(file, 0o755);
  return file;
}

/**
 * The environment of a child `gauntlet`: this process's, without the settings of the run this test
 * belongs to (its run dir, accelerator, seed) or vitest's own, so the child prepares a run of its own.
 * The cache dir stays: the child uses the image this run uses.
 */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if ((name.startsWith('GAUNTLET_') && name !== 'GAUNTLET_CACHE_DIR') || name.startsWith('VITEST') || name === 'TEST') continue;
    env[name] = value;
  }
  return env;
}

/** `gauntlet ARGS` as a user runs it, from the repository root; the accelerator this run uses is passed on. */
export async function gauntlet(args: string[]): Promise<{ exitCode: number; output: string; seconds: number }> {
  const startedAt = performance.now();
  const result = await execa(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), [path.join(REPO_ROOT, 'bin/gauntlet.ts'), ...args], {
    cwd: REPO_ROOT,
    env: childEnv(),
    extendEnv: false,
    reject: false,
    all: true,
  });
  return { exitCode: result.exitCode ?? -1, output: result.all ?? '', seconds: (performance.now() - startedAt) / 1000 };
}

/** The accelerator the parent run settled on, so a child does not probe again. */
export function accelArgs(): string[] {
  const accel = readSettings().target?.accelerator;
  return accel ? ['--accel', accel] : [];
}
