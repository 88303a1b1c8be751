import { describe, expect, test } from 'vitest';
import { parseCommand } from '../../harness/cli/args.ts';
import { SettingsError } from '../../harness/config/settings.ts';
import { adapterPreflight, describeAdapter } from '../../harness/runtime/exec-adapter/preflight.ts';
import { parseAdapterCommand } from '../../harness/runtime/exec-adapter/adapter-command.ts';
import { AdapterProcess } from '../../harness/runtime/exec-adapter/adapter-process.ts';
import { ExecRuntime } from '../../harness/runtime/exec-adapter/exec-runtime.ts';
import { METHODS } from '../../harness/runtime/exec-adapter/protocol.ts';
import { schemaProblem } from '../../harness/runtime/exec-adapter/schema.ts';
import { VM_EVENT_KINDS } from '../../harness/contract/events.ts';

const FAKE = 'test/fixtures/adapters/fake-adapter.mjs';
const fake = (mode: string) => `exec:node ${FAKE} ${mode}`;

describe('adapter command', () => {
  test('is split as a shell splits words (harness/text/shell-words.ts), and started without a shell', () => {
    expect(parseAdapterCommand(`exec:'/opt/my runtime/adapter' --x "a b" c\\ d '$HOME'`)).toMatchObject({ file: '/opt/my runtime/adapter', args: ['--x', 'a b', 'c d', '$HOME'] });
    expect(() => parseAdapterCommand(`exec:adapter "open`)).toThrow(/unterminated/);
    expect(() => parseAdapterCommand(`exec:adapter --fast | tee adapter.log`)).toThrow(/started without a shell: \| has no meaning there/);
  });

  test('needs exec: and a command', () => {
    expect(parseAdapterCommand('exec:./adapter --fast')).toMatchObject({ file: './adapter', args: ['--fast'] });
    expect(() => parseAdapterCommand('qemu')).toThrow(/exec:COMMAND/);
    expect(() => parseAdapterCommand('exec:  ')).toThrow(/names no command/);
  });
});

describe('command line', () => {
  test('--runtime reaches the settings; runtime serve and check take one argument', () => {
    expect(parseCommand(['run', 'lifecycle', '--runtime', 'exec:./adapter'], {}).settings.runtime).toBe('exec:./adapter');
    expect(parseCommand(['runtime', 'serve', 'qemu'], {})).toMatchObject({ command: 'runtime-serve', files: ['qemu'] });
    expect(parseCommand(['runtime', 'check', 'exec:./adapter'], {})).toMatchObject({ command: 'runtime-check', files: ['exec:./adapter'] });
    expect(() => parseCommand(['runtime', 'serve'], {})).toThrow(/usage: gauntlet runtime serve qemu/);
  });
});

describe('schema', () => {
  test('defines the params and the result of every method', () => {
    for (const method of METHODS) {
      expect(schemaProblem(`params.${method}`, {}), method).not.toMatch(/no schema/);
      expect(schemaProblem(`result.${method}`, {}), method).not.toMatch(/no schema/);
    }
  });

  test('refuses an exec result whose output is not base64', () => {
    const status = { state: 'running', hasBalloon: false, events: [], agentChannel: { protocolErrors: 0, strayReplies: 0, peakHeldChars: 0 }, artifacts: {} };
    const result = { exitCode: 0, stdout: 'héllo', stderr: '', timedOut: false, truncated: false, durationMs: 1, status };
    expect(schemaProblem('result.exec', result)).toMatch(/stdout/);
    expect(schemaProblem('result.exec', { ...result, stdout: 'aGk=' })).toBeUndefined();
  });

  test('events carry the contract\'s kinds, each with its data', () => {
    for (const kind of VM_EVENT_KINDS) expect(schemaProblem('params.waitForEvent', { sandbox: 's0', kind, timeoutMs: 1 }), kind).toBeUndefined();
    expect(schemaProblem('params.waitForEvent', { sandbox: 's0', kind: 'BLOCK_IO_ERROR', timeoutMs: 1 })).toMatch(/kind/);
    const ioError = { kind: 'io-error', data: { disk: 'root', operation: 'write', noSpace: true, action: 'pause' }, atMs: 3, vmmName: 'BLOCK_IO_ERROR' };
    const event = (value: object) => schemaProblem('vmEvent', value);
    expect(event(ioError)).toBeUndefined();
    expect(event({ ...ioError, data: { ...ioError.data, action: 'stop' } })).toMatch(/action/);
    expect(event({ ...ioError, data: { operation: 'write', action: 'pause', nospace: true } })).toBeDefined();
    expect(event({ kind: 'balloon-changed', data: { actualMiB: 128 }, atMs: 1, vmmEpochMs: 1_700_000_000_000 })).toBeUndefined();
    expect(event({ kind: 'balloon-changed', data: { actual: 134217728 }, atMs: 1 })).toBeDefined();
    expect(event({ kind: 'paused', data: {}, atMs: 1 })).toBeUndefined();
    expect(event({ name: 'STOP', data: {}, atMs: 1 })).toBeDefined();
  });
});

describe('an adapter that breaks during a case', () => {
  test('fails that case with its stderr tail; the next case gets a fresh adapter', async () => {
    const runtime = await ExecRuntime.open(parseAdapterCommand(fake('crash-mid-case')), 'tcg');
    const first = await runtime.create({ name: 'first' });
    await expect(first.exec('true')).rejects.toThrow(/exited with code 139; its stderr ends:\nfake adapter: segfault in exec/);
    await first.destroy();
    expect(first.state).toBe('destroyed');
    const second = await runtime.create({ name: 'second' });
    expect(second.state).toBe('running');
    await runtime.close();
  });

  test('a hang past a deadline kills the adapter and fails the call', async () => {
    const adapter = new AdapterProcess(parseAdapterCommand(fake('hang')));
    await adapter.request('initialize', { protocolVersion: 2, harness: { name: 't', version: '0' } });
    const { sandbox } = await adapter.request<{ sandbox: string }>('create', { spec: { name: 'hung' } });
    await expect(adapter.request('exec', { sandbox, command: 'true' }, 300)).rejects.toThrow(/did not answer exec within 0.3 s/);
    expect(adapter.alive).toBe(false);
  });

  test('a fault the adapter does not offer is refused before create', async () => {
    const runtime = await ExecRuntime.open(parseAdapterCommand(fake('ok')), 'tcg');
    expect(runtime.faults.has('no-discard'), 'the runtime tells a proof what it can break').toBe(false);
    await expect(runtime.create({ name: 'x', faults: ['no-discard'] })).rejects.toThrow(/runtime fake does not offer fault no-discard/);
    await runtime.close();
  });
});

describe('preflight', () => {
  test('an adapter that cannot start stops the run with one line', async () => {
    const error = await adapterPreflight(fake('no-start')).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as Error).message).toMatch(/^runtime adapter "node .*no-start" exited with code 3; its stderr ends: fake adapter: cannot find its VMM$/);
  });

  test('a newer adapter gets one clear line', async () => {
    await expect(adapterPreflight(fake('wrong-version'))).rejects.toThrow(/^runtime adapter .* speaks runtime protocol 99, newer than this harness \(2\): update gauntlet[^\n]*$/);
  });

  test('an adapter of an older protocol gets one line naming what changed since', async () => {
    await expect(adapterPreflight(fake('old-version'))).rejects.toThrow(
      /^runtime adapter .* speaks runtime protocol 1, which this harness no longer speaks \(2\): update the adapter \(version 2: the spec's balloon, disk, agent, hostile and restore are defined key by key[^\n]*\)$/,
    );
  });

  test('names the runtime it will run', async () => {
    const runtime = fake('ok');
    expect(describeAdapter(runtime, await adapterPreflight(runtime))).toMatch(/^fake 0\.0\.1 through adapter exec:node .* \(protocol 2\)$/);
  });
});
