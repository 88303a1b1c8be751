/**
 * docs/cases.md says, per case, which injected faults prove it turns red; test/faults holds a test
 * named `<fault> fails <id>` for each. This keeps the two in step, and the catalogue's ids in step
 * with the suites' test names, so "proven red" is never a claim nobody checks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface CatalogueRow {
  group: string;
  id: string;
  provenRedBy: string;
}

function catalogueRows(): CatalogueRow[] {
  const rows: CatalogueRow[] = [];
  let group = '';
  for (const line of readFileSync(path.join(ROOT, 'docs/cases.md'), 'utf8').split('\n')) {
    const heading = /^## ([a-z0-9-]+) —/.exec(line);
    if (heading) group = heading[1]!;
    const cells = /^\| ([a-z0-9-]+) \|/.test(line) ? line.split('|').slice(1, -1).map((cell) => cell.trim()) : undefined;
    if (cells && cells[0] !== 'id') rows.push({ group, id: cells[0]!, provenRedBy: cells[3] ?? '' });
  }
  return rows;
}

/** `test('<fault> fails <id>'` in every file of a folder. */
function faultTests(dir: string): { fault: string; id: string }[] {
  return readdirSync(path.join(ROOT, dir))
    .filter((file) => file.endsWith('.test.ts'))
    .flatMap((file) => [...readFileSync(path.join(ROOT, dir, file), 'utf8').matchAll(/\btest\('([a-z0-9-]+) fails ([a-z0-9-]+)'/g)])
    .map((match) => ({ fault: match[1]!, id: match[2]! }));
}

/** `test('<id>'`, `it('<id>'`, `waitingTest('<id>'` or a group's own row helper (`balloonCase('<id>'`) inside suites/<group>/. */
function suiteCaseIds(group: string): string[] {
  const dir = path.join(ROOT, 'suites', group);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.test.ts'))
    .flatMap((file) => [...readFileSync(path.join(dir, file), 'utf8').matchAll(/^\s*(?:it|test|waitingTest|\w+Case)\('([a-z0-9-]+)'/gm)].map((match) => match[1]!));
}

describe('the catalogue and the fault tests', () => {
  const rows = catalogueRows();
  const tests = faultTests('test/faults');

  it('lists every case of every suite, and only those', () => {
    const groups = [...new Set(rows.map((row) => row.group))];
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      expect(rows.filter((row) => row.group === group).map((row) => row.id).sort(), group).toEqual(suiteCaseIds(group).sort());
    }
  });

  it('names, for every case, the faults that turn it red, or why none can', () => {
    const unproven = rows.filter((row) => !/^(`[a-z0-9-]+`(, `[a-z0-9-]+`)*|none: .{10,})$/.test(row.provenRedBy));
    expect(unproven.map((row) => `${row.group}/${row.id}: "${row.provenRedBy}"`)).toEqual([]);
  });

  it('has a fault test for every fault the catalogue names, and the catalogue names every fault test', () => {
    const claimed = rows.flatMap((row) => [...row.provenRedBy.matchAll(/`([a-z0-9-]+)`/g)].map((match) => `${match[1]} fails ${row.id}`));
    const proven = tests.map((entry) => `${entry.fault} fails ${entry.id}`);
    expect(claimed.filter((claim) => !proven.includes(claim)), 'named in docs/cases.md without a test in test/faults').toEqual([]);
    expect(proven.filter((test) => !claimed.includes(test)), 'tested in test/faults without a mention in docs/cases.md').toEqual([]);
  });
});
