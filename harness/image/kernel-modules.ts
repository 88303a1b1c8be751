/**
 * Picks the modules the initramfs loads and puts them in an order insmod accepts: every module
 * after the modules its depends= names. Built-in modules are satisfied already and skipped.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { modinfoDepends, readModinfo } from './elf-modinfo.ts';

/** Module names use '_' internally; file names may use '-' (lzo-rle.ko is module lzo_rle). */
export function moduleName(fileOrName: string): string {
  return path.basename(fileOrName).replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}

export interface ModuleGraph {
  /** Module name -> names it depends on; undefined for a module the kernel does not have. */
  depends(name: string): string[] | undefined;
  isBuiltin(name: string): boolean;
}

/**
 * Depth-first, dependencies first, in the order the recipe and each depends= list give them, so the
 * result is stable and close to the order a human would write.
 */
export function loadOrder(wanted: string[], graph: ModuleGraph): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, chain: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`module dependency cycle: ${[...chain, name].join(' -> ')}`);
    if (graph.isBuiltin(name)) {
      state.set(name, 'done');
      return;
    }
    const deps = graph.depends(name);
    if (!deps) {
      const via = chain.length ? ` (needed by ${chain.join(' -> ')})` : '';
      throw new Error(`kernel has no module ${name}${via}, neither loadable nor built in`);
    }
    state.set(name, 'visiting');
    for (const dep of deps) visit(dep, [...chain, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of wanted) visit(moduleName(name), []);
  return order;
}

export interface KernelModule {
  name: string;
  depends: string[];
  /** Uncompressed module, ready for insmod. */
  content: Buffer;
}

async function walkModules(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walkModules(full)));
    else if (/\.ko(\.(xz|zst|gz))?$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** Newer Debian kernels compress modules; busybox insmod gets them plain. */
async function readModuleFile(file: string): Promise<Buffer> {
  const decompressor = file.endsWith('.xz') ? 'xz' : file.endsWith('.zst') ? 'zstd' : file.endsWith('.gz') ? 'gzip' : undefined;
  if (!decompressor) return readFile(file);
  const result = await execa(decompressor, ['-dc', file], { encoding: 'buffer' }).catch((error: Error) => {
    throw new Error(`cannot decompress ${file} with ${decompressor}: ${error.message}`);
  });
  return Buffer.from(result.stdout);
}

/** Loads the wanted modules of an unpacked kernel tree (lib/modules/<version>/) in load order. */
export async function collectModules(modulesDir: string, wanted: string[]): Promise<KernelModule[]> {
  const files = new Map<string, string>();
  for (const file of await walkModules(path.join(modulesDir, 'kernel'))) files.set(moduleName(file), file);
  const builtin = new Set<string>();
  try {
    for (const line of (await readFile(path.join(modulesDir, 'modules.builtin'), 'utf8')).split('\n')) {
      if (line.trim()) builtin.add(moduleName(line.trim()));
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }

  const loaded = new Map<string, KernelModule>();
  // loadOrder is synchronous; read every module it may touch first, following depends= outwards.
  const pending = wanted.map(moduleName);
  while (pending.length) {
    const name = pending.pop()!;
    if (loaded.has(name) || builtin.has(name) || !files.has(name)) continue;
    const content = await readModuleFile(files.get(name)!);
    const info = readModinfo(content);
    const declared = info.get('name')?.[0];
    if (declared && declared !== name) throw new Error(`${files.get(name)} declares name=${declared}, expected ${name}`);
    const depends = modinfoDepends(info);
    loaded.set(name, { name, depends, content });
    pending.push(...depends);
  }
  const order = loadOrder(wanted, {
    depends: (name) => loaded.get(name)?.depends,
    isBuiltin: (name) => builtin.has(name),
  });
  return order.map((name) => loaded.get(name)!);
}

/** The list the initramfs /init reads: "<name> <dep,dep|->" per line, in load order. */
export function moduleListFile(modules: Pick<KernelModule, 'name' | 'depends'>[]): string {
  return modules.map((m) => `${m.name} ${m.depends.length ? m.depends.join(',') : '-'}\n`).join('');
}
