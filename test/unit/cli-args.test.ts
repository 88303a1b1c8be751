import { describe, expect, it, vi } from 'vitest';
import { parseCommand, UsageError } from '../../harness/cli/args.ts';
import { EXIT } from '../../harness/cli/exit-codes.ts';
import { main } from '../../harness/cli/main.ts';
import { suiteCell } from '../../harness/cli/run-vitest.ts';

describe('gauntlet command line', () => {
  it('reads --repeat and --shard for run', () => {
    const parsed = parseCommand(['run', 'lifecycle', '--repeat', '5', '--shard', '2/3'], {});
    expect(parsed).toMatchObject({ command: 'run', suites: ['lifecycle'], run: { repeat: 5, shard: { index: 2, count: 3 } } });
    expect(parseCommand(['run'], {}).run).toEqual({ repeat: 1, shard: undefined, loadCores: 0, cores: undefined });
    expect(parseCommand(['run', '--load', '1'], {}).run.loadCores).toBe(1);
    expect(parseCommand(['run', '--cores', '1'], {}).run.cores).toBe(1);
  });

  it("prepares a run of its own inside another run's environment; only the served adapter takes that run's target and run dir", () => {
    const target = { runtime: 'qemu', accelerator: 'tcg', acceleratorReason: 'given', arch: 'x86_64', tools: {} };
    const parent = { GAUNTLET_TARGET: JSON.stringify(target), GAUNTLET_RUN_DIR: '/tmp/gauntlet-run-parent', GAUNTLET_REPEAT: '2', GAUNTLET_SEED: '7' };
    for (const verb of [['run'], ['test'], ['bench'], ['doctor']]) {
      const { settings } = parseCommand(verb, parent);
      expect({ target: settings.target, runDir: settings.runDir, repeat: settings.repeat }, verb.join(' ')).toEqual({ target: undefined, runDir: undefined, repeat: undefined });
      expect(settings.seed, 'a seed is the user\'s choice, not the run\'s doing').toBe(7);
    }
    const served = parseCommand(['runtime', 'serve', 'qemu'], parent).settings;
    expect({ target: served.target, runDir: served.runDir }).toEqual({ target, runDir: '/tmp/gauntlet-run-parent' });
  });

  it('rejects repeats and shards that make no sense, and run flags on other commands', () => {
    for (const argv of [
      ['run', '--repeat', '0'],
      ['run', '--repeat', '2.5'],
      ['run', '--shard', '3/2'],
      ['run', '--shard', '0/2'],
      ['run', '--shard', '1'],
      ['run', '--load', '0'],
      ['run', '--load', 'all'],
      ['run', '--load', '4096'],
      ['run', '--cores', '0'],
      ['run', '--cores', '4096'],
      ['doctor', '--load', '1'],
      ['bench', '--cores', '1'],
      ['doctor', '--repeat', '2'],
      ['compare', 'a.json', 'b.json', '--bisect'],
      ['merge', 'a.json', '-o', 'x.json'],
      ['compare', 'a.json'],
      ['report'],
    ]) {
      expect(() => parseCommand(argv, {}), argv.join(' ')).toThrow(UsageError);
    }
  });

  it('makes gauntlet test cover every guest architecture unless one was named', () => {
    expect(parseCommand(['test'], {}).testArches).toHaveLength(2);
    expect(parseCommand(['test'], {}).testArches[0]).toBe(parseCommand(['test'], {}).settings.arch);
    expect(parseCommand(['test', '--arch', 'aarch64'], {}).testArches).toEqual(['aarch64']);
    expect(parseCommand(['test', '--machine', 'q35'], {}).testArches).toEqual(['x86_64']);
    expect(parseCommand(['test', '--kernel', 'bzImage'], { GAUNTLET_ARCH: 'x86_64' }).testArches).toEqual(['x86_64']);
    expect(parseCommand(['test'], { GAUNTLET_ARCH: 'aarch64' }).testArches).toEqual(['aarch64']);
  });

  it('parses image export --for other-vmm with its directory, and refuses --for elsewhere', () => {
    expect(parseCommand(['image', 'export', '--for', 'other-vmm', 'kit'], {})).toMatchObject({ command: 'image-export-kit', files: ['kit'] });
    expect(() => parseCommand(['image', 'export', '--for', 'firecracker', 'kit'], {})).toThrow(/--for takes other-vmm \(got firecracker\)/);
    expect(() => parseCommand(['run', '--for', 'other-vmm'], {})).toThrow(/--for belongs to gauntlet image export/);
  });

  it('parses image export and import with their archive', () => {
    expect(parseCommand(['image', 'export', 'img.tar.gz', '--arch', 'aarch64'], {})).toMatchObject({ command: 'image-export', files: ['img.tar.gz'], settings: { arch: 'aarch64' } });
    expect(parseCommand(['image', 'import', 'img.tar.gz'], {})).toMatchObject({ command: 'image-import', files: ['img.tar.gz'] });
    expect(() => parseCommand(['image', 'export'], {})).toThrow(UsageError);
  });

  it('parses merge, report and compare with their files', () => {
    expect(parseCommand(['merge', 'a.json', 'b.json', '--reports', 'out'], {})).toMatchObject({ command: 'merge', files: ['a.json', 'b.json'] });
    expect(parseCommand(['report', 'run.json', '-o', 'page.html'], {})).toMatchObject({ command: 'report', files: ['run.json'], output: 'page.html' });
    expect(parseCommand(['compare', 'a.json', 'b.json'], {})).toMatchObject({ command: 'compare', files: ['a.json', 'b.json'] });
  });

  it('exits 125 instead of 2 with --bisect when the run cannot be made, so git bisect skips the commit', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await main(['run', 'no-such-suite'])).toBe(EXIT.environment);
      expect(await main(['run', 'no-such-suite', '--bisect'])).toBe(EXIT.bisectSkip);
      expect(EXIT.bisectSkip).toBe(125);
      expect(error.mock.calls.flat().join('\n')).toMatch(/unknown suite: no-such-suite/);
    } finally {
      error.mockRestore();
    }
  });

  it('exits 2 when compare is given something that is not a run record', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await main(['compare', 'package.json', 'package.json'])).toBe(EXIT.environment);
      expect(error.mock.calls.flat().join('\n')).toMatch(/package\.json is not a run record/);
    } finally {
      error.mockRestore();
    }
  });
});

describe('which test files gauntlet run selects', () => {
  const settings = parseCommand(['run'], {}).settings;
  it('takes a suite as its folder, and one of its test files as GROUP/FILE', () => {
    expect(suiteCell(['lifecycle', 'disk'], settings).filters).toEqual(['suites/lifecycle/', 'suites/disk/']);
    expect(suiteCell(['lifecycle/lifecycle.test.ts'], settings).filters).toEqual(['suites/lifecycle/lifecycle.test.ts']);
    expect(suiteCell([], settings).filters).toEqual(['suites/']);
  });

  it('refuses a file the suite does not have, or a deeper path, as an unknown suite', () => {
    for (const suite of ['lifecycle/no-such.test.ts', 'lifecycle/lifecycle.test.ts/x', 'no-such/lifecycle.test.ts']) {
      expect(() => suiteCell([suite], settings), suite).toThrow(UsageError);
    }
  });
});
