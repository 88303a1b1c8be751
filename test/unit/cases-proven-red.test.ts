/**
 * docs/cases.md names, per case, its key claims (`holds('<case>/<what>'` in suites/) and, for each,
 * the faults that turn it red (a `proves('<fault>', '<case>/<what>'` in test/faults/) or why no
 * realistic fault can. This keeps the catalogue, the suites' claims and the fault tests in step, so
 * "proven red" is never a claim nobody checks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** `none — <reason>`: a claim no realistic fault can break, and why. */
const NO_FAULT = /^`([a-z0-9-]+)`: none — (.{10,})$/;
const PROOF = /^`([a-z0-9-]+)` ⇒ `([a-z0-9-]+)`$/;

interface CatalogueRow {
  group: string;
  id: string;
  keyClaims: string[];
  proofs: string[];
  /** Entries of the proven-red column that are neither a proof nor a reason. */
  unreadable: string[];
  /** Claims given as not breakable by any realistic fault. */
  noFault: string[];
}

function catalogueRows(): CatalogueRow[] {
  const rows: CatalogueRow[] = [];
  let group = '';
  for (const line of readFileSync(path.join(ROOT, 'docs/cases.md'), 'utf8').split('\n')) {
    const heading = /^## ([a-z0-9-]+) —/.exec(line);
    if (heading) group = heading[1]!;
    const cells = /^\| ([a-z0-9-]+) \|/.test(line) ? line.split(' | ').map((cell) => cell.replace(/^\| |\s*\|$/g, '').trim()) : undefined;
    if (!cells || cells[0] === 'id') continue;
    const id = cells[0]!;
    const entries = (cells[4] ?? '').split('; ').filter(Boolean);
    rows.push({
      group,
      id,
      keyClaims: [...(cells[3] ?? '').matchAll(/`([a-z0-9-]+)`/g)].map((match) => `${id}/${match[1]}`),
      proofs: entries.flatMap((entry) => (PROOF.test(entry) ? [entry.replace(PROOF, `$1 ⇒ ${id}/$2`)] : [])),
      noFault: entries.flatMap((entry) => (NO_FAULT.test(entry) ? [`${id}/${NO_FAULT.exec(entry)![1]}`] : [])),
      unreadable: entries.filter((entry) => !PROOF.test(entry) && !NO_FAULT.test(entry)),
    });
  }
  return rows;
}

function sources(dir: string, pattern: RegExp): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => pattern.test(file))
    .map((file) => readFileSync(path.join(ROOT, dir, file), 'utf8'));
}

/** Every `holds('<case>/<what>'` in the suites. */
function claimsInSuites(): Set<string> {
  return new Set(sources('suites', /\.ts$/).flatMap((text) => [...text.matchAll(/\bholds\(\s*'([a-z0-9-]+\/[a-z0-9-]+)'/g)].map((match) => match[1]!)));
}

/** Every `proves('<fault>', '<case>/<what>'` in test/faults, as `<fault> ⇒ <case>/<what>`. */
function faultTests(): string[] {
  return sources('test/faults', /\.test\.ts$/).flatMap((text) =>
    [...text.matchAll(/\bproves\(\s*'([a-z0-9-]+)',\s*'([a-z0-9-]+\/[a-z0-9-]+)'/g)].map((match) => `${match[1]} ⇒ ${match[2]}`),
  );
}

/** `test('<id>'`, `it('<id>'`, `waitingTest('<id>'` or a group's own row helper (`balloonCase('<id>'`) inside suites/<group>/. */
function suiteCaseIds(group: string): string[] {
  const dir = path.join(ROOT, 'suites', group);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.test.ts'))
    .flatMap((file) => [...readFileSync(path.join(dir, file), 'utf8').matchAll(/^\s*(?:it|test|waitingTest|\w+Case)\('([a-z0-9-]+)'/gm)].map((match) => match[1]!));
}

const rows = catalogueRows();
const groups = [...new Set(rows.map((row) => row.group))];
const claims = claimsInSuites();
const tests = faultTests();

describe('the catalogue and the fault tests', () => {
  it('has groups', () => expect(groups.length).toBeGreaterThan(0));

  describe.each(groups)('%s', (group) => {
    const ofGroup = rows.filter((row) => row.group === group);

    it('lists every case of the suite, and only those', () => {
      expect(ofGroup.map((row) => row.id).sort()).toEqual(suiteCaseIds(group).sort());
    });

    it('names each case\'s key claims, each one a holds() in the suites', () => {
      expect(ofGroup.filter((row) => row.keyClaims.length === 0).map((row) => row.id), 'rows without key claims').toEqual([]);
      expect(ofGroup.flatMap((row) => row.keyClaims).filter((claim) => !claims.has(claim)), 'key claims no holds() states').toEqual([]);
      const listed = new Set(ofGroup.flatMap((row) => row.keyClaims));
      const ids = new Set(ofGroup.map((row) => row.id));
      expect([...claims].filter((claim) => ids.has(claim.split('/')[0]!) && !listed.has(claim)), 'holds() ids the catalogue does not list').toEqual([]);
    });

    it('proves every key claim by a fault, or says why no realistic fault can break it', () => {
      expect(ofGroup.flatMap((row) => row.unreadable.map((entry) => `${row.id}: "${entry}"`)), 'entries that are neither `fault` ⇒ `claim` nor `claim`: none — reason').toEqual([]);
      const covered = new Set(ofGroup.flatMap((row) => [...row.proofs.map((proof) => proof.split(' ⇒ ')[1]!), ...row.noFault]));
      expect(ofGroup.flatMap((row) => row.keyClaims).filter((claim) => !covered.has(claim)), 'key claims neither proven nor explained').toEqual([]);
      const keyClaims = new Set(ofGroup.flatMap((row) => row.keyClaims));
      expect(ofGroup.flatMap((row) => [...row.proofs.map((proof) => proof.split(' ⇒ ')[1]!), ...row.noFault]).filter((claim) => !keyClaims.has(claim)), 'proven claims that are not key claims').toEqual([]);
    });

    it('has a fault test for every proof it names, and names every fault test of its cases', () => {
      const ids = new Set(ofGroup.map((row) => row.id));
      const claimed = ofGroup.flatMap((row) => row.proofs);
      const ofCases = tests.filter((test) => ids.has(test.split(' ⇒ ')[1]!.split('/')[0]!));
      expect(claimed.filter((claim) => !tests.includes(claim)), 'named in docs/cases.md without a test in test/faults').toEqual([]);
      expect(ofCases.filter((test) => !claimed.includes(test)), 'tested in test/faults without a mention in docs/cases.md').toEqual([]);
    });
  });

  it('has no fault test of a case the catalogue does not list', () => {
    const ids = new Set(rows.map((row) => row.id));
    expect(tests.filter((test) => !ids.has(test.split(' ⇒ ')[1]!.split('/')[0]!))).toEqual([]);
  });
});
