import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../../harness/cli/args.ts';

describe('gauntlet bench arguments', () => {
  it('writes into reports/bench unless --reports names a directory, so the suites\' reports stay', () => {
    expect(parseCommand(['bench'], {}).settings.reportsDir).toBe(path.resolve('reports', 'bench'));
    expect(parseCommand(['bench', '--reports', '/tmp/b'], {}).settings.reportsDir).toBe('/tmp/b');
  });

  it('takes --arch and refuses arguments', () => {
    expect(parseCommand(['bench', '--arch', 'aarch64'], {}).settings.arch).toBe('aarch64');
    expect(() => parseCommand(['bench', 'agent'], {})).toThrow(UsageError);
  });

  it('takes --budget, the time its rounds may take (what a hunt has left), and refuses one that is no duration', () => {
    expect(parseCommand(['bench', '--budget', '90s'], {}).benchBudgetMs).toBe(90_000);
    expect(parseCommand(['bench'], {}).benchBudgetMs).toBeUndefined();
    expect(() => parseCommand(['bench', '--budget', 'soon'], {})).toThrow('--budget takes a duration such as 90s, 15m or 1h (got soon)');
  });
});
