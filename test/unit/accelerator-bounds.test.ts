/**
 * What a case would get on each accelerator, from injected facts rather than this host: every
 * deadline a case scales (`deadlineMs(OWNER.key, accelerator)` in suites/ and the assertion helpers),
 * worked out for KVM, HVF and TCG. Deadlines stretch under TCG only; thresholds never depend on the
 * accelerator, so no case may branch on one by name: a bound that did would have been fitted to it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCELERATOR_SLOWDOWN, deadlineMs } from '../../harness/config/constants.ts';
import type { Accelerator } from '../../harness/contract/run-target.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCANNED = ['suites', 'harness/assert', 'harness/workloads'];
const LIMIT_MODULES = [
  'harness/config/constants.ts',
  'harness/assert/limits.ts',
  ...readdirSync(path.join(ROOT, 'suites'), { recursive: true, encoding: 'utf8' })
    .filter((file) => /(^|\/)(catalogue-)?limits\.ts$/.test(file))
    .map((file) => `suites/${file}`),
];
const ACCELERATORS: Accelerator[] = ['kvm', 'hvf', 'tcg'];

function sourcesOf(dirs: string[]): { file: string; text: string }[] {
  return dirs.flatMap((dir) =>
    readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => ({ file: `${dir}/${file}`, text: readFileSync(path.join(ROOT, dir, file), 'utf8') })),
  );
}

/** Every exported limits object, by its export name. */
async function limitOwners(): Promise<Map<string, Record<string, unknown>>> {
  const owners = new Map<string, Record<string, unknown>>();
  for (const module of LIMIT_MODULES) {
    for (const [name, value] of Object.entries(await import(path.join(ROOT, module)))) {
      if (/^[A-Z][A-Z_]+$/.test(name) && typeof value === 'object' && value !== null) owners.set(name, value as Record<string, unknown>);
    }
  }
  return owners;
}

describe('bounds and deadlines per accelerator', () => {
  const sources = sourcesOf(SCANNED);
  const scaled = [...new Set(sources.flatMap(({ text }) => [...text.matchAll(/\bdeadlineMs\(\s*([A-Z_]+)\.([a-zA-Z]+)/g)].map((match) => `${match[1]}.${match[2]}`)))].sort();

  it('finds the deadlines the cases scale', () => {
    expect(scaled.length).toBeGreaterThan(10);
  });

  it('gives each scaled deadline its KVM figure on KVM and HVF, and the TCG stretch under TCG only', async () => {
    const owners = await limitOwners();
    const table = scaled.map((name) => {
      const [owner, key] = name.split('.') as [string, string];
      const base = owners.get(owner)?.[key];
      expect(typeof base, `${name} is a number in a limits module`).toBe('number');
      return { name, ...Object.fromEntries(ACCELERATORS.map((accel) => [accel, deadlineMs(base as number, accel)])) } as { name: string } & Record<Accelerator, number>;
    });
    for (const row of table) {
      expect(row.hvf, `${row.name}: HVF runs the guest natively, as KVM does`).toBe(row.kvm);
      expect(row.tcg, `${row.name}: TCG's stretch`).toBe(Math.round(row.kvm * ACCELERATOR_SLOWDOWN.tcg));
      expect(row.kvm, `${row.name}: a deadline of at least a timer tick on the fastest accelerator`).toBeGreaterThanOrEqual(100);
    }
    console.log(['deadline (ms)                                  kvm      hvf      tcg', ...table.map((row) => `${row.name.padEnd(44)} ${ACCELERATORS.map((accel) => String(row[accel]).padStart(8)).join(' ')}`)].join('\n'));
  });

  it('has no case or assertion helper that picks a bound by the accelerator\'s name', () => {
    const branching = sources.flatMap(({ file, text }) =>
      text.split('\n').flatMap((line, index) => (/['"](kvm|hvf|tcg)['"]/.test(line) && !/^\s*(\*|\/\/)/.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
    );
    expect(branching).toEqual([]);
  });
});
