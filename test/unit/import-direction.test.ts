/**
 * Layers point one way: every import between rooms (a folder of harness/, a runtime kind, the cases,
 * the CLI entry) must be one the table in docs/ARCHITECTURE.md ("Who may import whom") allows, and
 * that table must have no cycle, so an upward import fails here rather than growing a knot. The table
 * is read from the doc, so the map a reader follows and the rule CI keeps are one. Tests (test/) may
 * import anything: the fault tests break the reference runtime on purpose.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOC = 'docs/ARCHITECTURE.md';
const CHECKED = ['harness', 'suites', 'bin'];

/** The room a file sits in: harness/<folder>, harness/runtime/<kind>, harness/runtime for its own files, suites, bin. */
export function roomOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] !== 'harness') return parts[0]!;
  if (parts[1] === 'runtime' && parts.length > 3) return `harness/runtime/${parts[2]}`;
  return `harness/${parts[1]}`.replace(/\.ts$/, '');
}

/** The table under "## Who may import whom": a row per room, its allowed rooms in backticks. */
export function importTable(markdown: string): Map<string, Set<string>> {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('Who may import whom'));
  if (!section) throw new Error(`${DOC} has no "## Who may import whom" section`);
  const table = new Map<string, Set<string>>();
  for (const line of section.split('\n')) {
    const row = /^\|\s*`([^`]+)`\s*\|(.*)\|\s*$/.exec(line);
    if (row) table.set(row[1]!, new Set([...row[2]!.matchAll(/`([^`]+)`/g)].map(([, room]) => room!)));
  }
  return table;
}

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return filesUnder(rel);
    return entry.name.endsWith('.ts') ? [rel] : [];
  });
}

/** Relative imports of a file (static, dynamic and type-only), as repository paths. */
export function importsOf(file: string, text: string): string[] {
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(([, spec]) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec!)));
}

/** One cycle in a graph, as the path round it, or undefined. */
export function findCycle(graph: Map<string, Iterable<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...trail.slice(trail.indexOf(node)), node];
    state.set(node, 'open');
    trail.push(node);
    for (const next of graph.get(node) ?? []) {
      if (next === node) continue;
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('import direction', () => {
  const table = importTable(readFileSync(path.join(ROOT, DOC), 'utf8'));
  const files = CHECKED.flatMap(filesUnder);
  const imports = new Map(files.map((file) => [file, importsOf(file, readFileSync(path.join(ROOT, file), 'utf8'))]));

  it('every import between rooms is one the table allows', () => {
    const outside: string[] = [];
    for (const [file, targets] of imports) {
      const from = roomOf(file);
      for (const target of targets) {
        const to = roomOf(target);
        if (from !== to && !table.get(from)?.has(to)) outside.push(`${file} → ${target} (${from} may not import ${to})`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('the table names every room and has no cycle', () => {
    const rooms = new Set(files.map(roomOf));
    expect([...rooms].filter((room) => !table.has(room)), 'rooms missing from the table').toEqual([]);
    expect(findCycle(table)).toBeUndefined();
  });

  it('no file imports itself round a cycle', () => {
    expect(findCycle(imports)).toBeUndefined();
  });

  it('sees an upward import and a cycle where there is one', () => {
    expect(roomOf('harness/runtime/qemu/vm.ts')).toBe('harness/runtime/qemu');
    expect(roomOf('harness/runtime/kinds.ts')).toBe('harness/runtime');
    expect(roomOf('suites/disk/checks.ts')).toBe('suites');
    expect(importsOf('harness/runtime/qemu/vm.ts', "import type { Runtime } from '../../contract/sandbox.ts';")).toEqual(['harness/contract/sandbox.ts']);
    const sample = importTable('## Who may import whom\n\n| room | may import |\n| --- | --- |\n| `a` | `b`, `c` |\n| `b` | `c` |\n| `c` | |\n');
    expect(sample.get('a')).toEqual(new Set(['b', 'c']));
    expect(findCycle(sample)).toBeUndefined();
    expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual(['a', 'b', 'c', 'a']);
  });
});
