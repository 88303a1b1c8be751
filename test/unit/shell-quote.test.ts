import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../harness/text/shell-quote.ts';

describe('shellQuote', () => {
  it('leaves plain words bare and quotes the rest', () => {
    expect(shellQuote('/tmp/run-1/vm.qcow2')).toBe('/tmp/run-1/vm.qcow2');
    expect(shellQuote('file=a.qcow2,if=none,id=d0')).toBe('file=a.qcow2,if=none,id=d0');
    expect(shellQuote('')).toBe(`''`);
    expect(shellQuote('a b')).toBe(`'a b'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it('gives sh back exactly the value, whatever it holds', () => {
    const values = ['', 'plain', "it's", 'two  spaces', '$HOME `id` $(id) "q" \\ ; & | > < * ? ~ # !', "''", 'line\nbreak', 'tab\there'];
    for (const value of values) {
      expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(value)}`], { encoding: 'utf8' })).toBe(value);
    }
  });
});
