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
});
