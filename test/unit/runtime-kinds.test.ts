/**
 * The runtime-kind registry: a worker opens its runtime from the prepared target alone (it neither
 * reads the CLI's settings nor hashes the guest recipe again), a kind is chosen by name and never by
 * a switch, and a kind that runs in the test's own process can be registered and selected.
 */
import { describe, expect, it, vi } from 'vitest';
import { PREPARED_TARGET_ENV, targetEnv } from '../../harness/config/prepared-env.ts';
import { ENV } from '../../harness/config/settings.ts';
import type { PreparedTarget } from '../../harness/contract/prepared-target.ts';
import type { Runtime } from '../../harness/contract/sandbox.ts';
import { kindFor, kindOf, openRuntime, registerRuntimeKind, runtimeKinds, type RuntimeKind } from '../../harness/runtime/kinds.ts';
import { workerTarget } from '../../harness/vitest/vm-test.ts';

const spies = vi.hoisted(() => ({ recipeHash: vi.fn(), readSettings: vi.fn(), findGuestImage: vi.fn() }));

vi.mock('../../harness/image/recipe.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../harness/image/recipe.ts')>();
  return { ...actual, recipeHash: (...args: Parameters<typeof actual.recipeHash>) => (spies.recipeHash(...args), actual.recipeHash(...args)) };
});
vi.mock('../../harness/image/guest-image.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../harness/image/guest-image.ts')>();
  return { ...actual, findGuestImage: (...args: Parameters<typeof actual.findGuestImage>) => (spies.findGuestImage(...args), actual.findGuestImage(...args)) };
});
vi.mock('../../harness/config/settings.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../harness/config/settings.ts')>();
  return { ...actual, readSettings: (...args: Parameters<typeof actual.readSettings>) => (spies.readSettings(...args), actual.readSettings(...args)) };
});

function preparedTarget(kind: string): PreparedTarget {
  return {
    kind,
    runtime: kind,
    vmm: kind,
    vmmVersion: 'version 1',
    vmmBinary: '/nonexistent/vmm-binary',
    accelerator: 'tcg',
    acceleratorReason: 'a test',
    arch: 'x86_64',
    machine: 'microvm',
    tools: {},
    image: { arch: 'x86_64', dir: '/nonexistent/image', kernel: '/nonexistent/image/vmlinux', initramfs: '/nonexistent/image/initramfs', rootfsTree: '/nonexistent/image/rootfs', kernelVersion: '6.1.0', recipeHash: 'f'.repeat(64) },
    runDir: '/nonexistent/run',
    seed: 7,
    cold: false,
    reportsDir: '/nonexistent/reports',
  };
}

describe('the runtime-kind registry', () => {
  it('opens the reference kind from a prepared target alone: no settings read, no recipe hashed, no image looked up', async () => {
    const env = targetEnv(preparedTarget('qemu'));
    const target = workerTarget(env);
    const runtime = await openRuntime(target);
    expect(runtime.name).toBe('qemu');
    expect(runtime.accelerator).toBe('tcg');
    expect(spies.readSettings).not.toHaveBeenCalled();
    expect(spies.recipeHash).not.toHaveBeenCalled();
    expect(spies.findGuestImage).not.toHaveBeenCalled();
  });

  it('hands an adapter the variables it reads, derived from the target', () => {
    const env = targetEnv({ ...preparedTarget('exec'), repeat: 2 });
    expect(env).toMatchObject({ [ENV.runDir]: '/nonexistent/run', [ENV.arch]: 'x86_64', [ENV.seed]: '7', [ENV.repeat]: '2', [ENV.cold]: 'false' });
    expect(JSON.parse(env[ENV.target]!)).toMatchObject({ runtime: 'exec', accelerator: 'tcg', arch: 'x86_64' });
    expect(JSON.parse(env[ENV.target]!)).not.toHaveProperty('image');
    expect(JSON.parse(env[PREPARED_TARGET_ENV]!)).toEqual({ ...preparedTarget('exec'), repeat: 2 });
  });

  it('selects a kind by --runtime: none is the reference runtime, exec:COMMAND an adapter, anything else is refused in one line', () => {
    expect(kindFor(undefined).name).toBe('qemu');
    expect(kindFor('exec:./my-adapter --flag').name).toBe('exec');
    expect(() => kindFor('firecracker')).toThrow(/^--runtime must be exec:COMMAND or one of qemu, exec.* \(got firecracker\)$/);
    expect(() => kindOf({ kind: 'nowhere' })).toThrow(/names runtime kind nowhere/);
    expect(() => workerTarget({})).toThrow(/the run was not prepared/);
  });

  it('registers an in-process kind, which --runtime then selects and a worker opens', async () => {
    const inProcess: Runtime = { name: 'in-process', accelerator: 'tcg', capabilities: new Set(), missingOnThisHost: new Map(), faults: new Set(), create: () => Promise.reject(new Error('no VMs here')) };
    const kind: RuntimeKind = {
      name: 'in-process',
      prepare: async () => async () => ({ runtime: 'in-process', accelerator: 'tcg', acceleratorReason: 'it emulates', arch: 'x86_64', tools: {} }),
      open: async () => inProcess,
    };
    registerRuntimeKind(kind);
    expect(() => registerRuntimeKind(kind)).toThrow(/already registered/);
    expect(kindFor('in-process')).toBe(kind);
    expect(runtimeKinds().map(({ name }) => name)).toEqual(['qemu', 'exec', 'in-process']);
    expect(await openRuntime(workerTarget(targetEnv(preparedTarget('in-process'))))).toBe(inProcess);
  });
});
