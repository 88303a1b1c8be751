import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../harness/text/shell-quote.ts';
import { shellWords } from '../../harness/text/shell-words.ts';

const words = (text: string) => shellWords(text).words;

describe('shellWords', () => {
  it('splits as sh splits words, without expansion', () => {
    expect(words(`npx gauntlet runtime serve qemu`)).toEqual(['npx', 'gauntlet', 'runtime', 'serve', 'qemu']);
    expect(words(`'/opt/my runtime/adapter' --x "a b" c\\ d '$HOME' "say \\"hi\\" \\n"`)).toEqual(['/opt/my runtime/adapter', '--x', 'a b', 'c d', '$HOME', 'say "hi" \\n']);
    expect(words(`a '' ""`)).toEqual(['a', '', '']);
    expect(() => shellWords(`adapter "open`)).toThrow(/unterminated "/);
  });

  it('ends the command at the first operator outside quotes, naming it', () => {
    expect(shellWords('npx gauntlet merge reports/cells/*/run.json --reports reports/merged | tee merge.txt')).toEqual({
      words: ['npx', 'gauntlet', 'merge', 'reports/cells/*/run.json', '--reports', 'reports/merged'],
      operator: '|',
    });
    expect(words('npx gauntlet compare a.json "b c.json" 2>&1 || status=$?')).toEqual(['npx', 'gauntlet', 'compare', 'a.json', 'b c.json']);
    expect(words('npx gauntlet doctor # x#y')).toEqual(['npx', 'gauntlet', 'doctor']);
    expect(words('npx gauntlet run lifecycle#1 "a|b"')).toEqual(['npx', 'gauntlet', 'run', 'lifecycle#1', 'a|b']);
    expect(shellWords('adapter --fast').operator).toBeUndefined();
  });

  it('reads back what shellQuote wrote', () => {
    const values = ['plain', '', "it's", 'a b', '$HOME `x` "q" \\ ; | # >'];
    expect(words(values.map(shellQuote).join(' '))).toEqual(values);
  });
});
