import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPECTED_FILE_SECONDS } from '../../harness/vitest/expected-file-seconds.ts';
import { longestFirst, type SchedulableFile } from '../../harness/vitest/longest-first.ts';

const file = (project: string, name: string, groupOrder = 0): SchedulableFile => ({ project, file: name, groupOrder });
const order = (files: SchedulableFile[], seconds: Record<string, number>) => longestFirst(files, (f) => seconds[f.file]).map((f) => f.file);

describe('longestFirst (the order test files start in)', () => {
  it('starts the longest first, and a file of unknown length before all known ones', () => {
    const files = [file('suites', 'short'), file('suites', 'long'), file('suites', 'new'), file('suites', 'middle')];
    expect(order(files, { short: 10, long: 82, middle: 33 })).toEqual(['new', 'long', 'middle', 'short']);
  });

  it('keeps vitest’s order of groups and projects above any length', () => {
    const files = [file('timing', 'compare', 1), file('unit', 'quick'), file('faults', 'disk-faults'), file('suites', 'balloon')];
    expect(order(files, { compare: 900, quick: 1, 'disk-faults': 628, balloon: 82 })).toEqual(['disk-faults', 'balloon', 'quick', 'compare']);
  });

  it('has a figure for every suite file, so a fresh clone starts the longest of them first', () => {
    const suites = readdirSync('suites', { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.test.ts'))
      .map((name) => `suites/${name.split(path.sep).join('/')}`);
    expect(suites.filter((name) => EXPECTED_FILE_SECONDS[name] === undefined), 'suite files without an expected duration').toEqual([]);
    expect(order(suites.map((name) => file('suites', name)), EXPECTED_FILE_SECONDS)[0]).toBe('suites/snapshot/field-cases.test.ts');
  });

  it('has a figure for every fault and integration test file, so a fresh clone does not start a short new one before the long ones', () => {
    const files = ['test/faults', 'test/integration'].flatMap((dir) =>
      readdirSync(dir, { encoding: 'utf8' })
        .filter((name) => name.endsWith('.test.ts'))
        .map((name) => `${dir}/${name}`),
    );
    expect(files.filter((name) => EXPECTED_FILE_SECONDS[name] === undefined), 'test files on VMs without an expected duration').toEqual([]);
  });
});
