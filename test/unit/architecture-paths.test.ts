/**
 * docs/ARCHITECTURE.md is the map a newcomer (or a runtime author) follows: every path it names must
 * exist, so a move that forgets the map fails here instead of sending the reader to nothing. The
 * layer trees name paths relative to their folder line (`harness/` then `  runtime/qemu/`); the prose
 * names them from the repository root or, in backticks, from `harness/`. Placeholders (`<group>`) and
 * globs are not paths.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOC = 'docs/ARCHITECTURE.md';
const TOP_DIRS = ['harness', 'suites', 'test', 'fixtures', 'scripts', 'bin', 'docs'];

/** Paths the doc's code blocks name: a line's first word, under the last unindented folder line. */
function treePaths(markdown: string): string[] {
  const paths: string[] = [];
  const blocks = markdown.split('```').filter((_, index) => index % 2 === 1);
  for (const block of blocks) {
    let folder = '';
    for (const line of block.split('\n')) {
      const word = /^(\s*)(\S+)/.exec(line);
      if (!word || !word[2].includes('/')) continue;
      const [, indent, name] = word;
      if (indent.length === 0) {
        folder = name.endsWith('/') ? name : '';
        paths.push(name);
      } else if (indent.length === 2 && folder) {
        paths.push(folder + name);
      }
    }
  }
  return paths;
}

/** Paths the prose names: from the repository root anywhere, or in backticks relative to harness/. */
function prosePaths(markdown: string): string[] {
  const prose = markdown.split('```').filter((_, index) => index % 2 === 0).join('\n');
  const rooted = [...prose.matchAll(new RegExp(`(?<![\\w./-])(?:${TOP_DIRS.join('|')})/[\\w./-]*[\\w/]`, 'g'))].map(([match]) => match);
  const inHarness = [...prose.matchAll(/`([\w-]+\/[\w./-]*\.ts)`/g)]
    .map(([, match]) => match)
    .filter((match) => !TOP_DIRS.some((dir) => match.startsWith(`${dir}/`)))
    .map((match) => `harness/${match}`);
  return [...rooted, ...inHarness];
}

const isPlaceholder = (named: string) => /[<>*]/.test(named);

describe('docs/ARCHITECTURE.md', () => {
  const markdown = readFileSync(path.join(ROOT, DOC), 'utf8');

  it('names only paths that exist', () => {
    const named = [...new Set([...treePaths(markdown), ...prosePaths(markdown)])].filter((p) => !isPlaceholder(p));
    expect(named.length).toBeGreaterThan(40);
    expect(named.filter((p) => !existsSync(path.join(ROOT, p)))).toEqual([]);
  });

  it('reads the paths of a layer tree and of the prose as meant', () => {
    const sample = ['```', 'harness/', '  runtime/contract/   the contract', '                       wrapped text/with slash', 'bin/gauntlet.ts  CLI', '```', 'See `runtime/qemu/vm.ts` and harness/text/shell-quote.ts.'].join('\n');
    expect(treePaths(sample)).toEqual(['harness/', 'harness/runtime/contract/', 'bin/gauntlet.ts']);
    expect(prosePaths(sample)).toEqual(['harness/text/shell-quote.ts', 'harness/runtime/qemu/vm.ts']);
  });
});
