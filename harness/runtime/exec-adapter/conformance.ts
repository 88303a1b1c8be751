/**
 * `gauntlet runtime check exec:COMMAND`: a quick protocol-level check for adapter authors, before a
 * full run. It says hello, reads the capability and fault lists, asks for errors on purpose (an
 * unknown method, an unknown sandbox) to see their shape, and makes one sandbox, runs one binary-safe
 * exec in it and destroys it. Each step either passes or names what is missing.
 */
import { ADAPTER } from './limits.ts';
import type { AdapterCommand } from './adapter-command.ts';
import type { AdapterProcess } from './adapter-process.ts';
import { startAdapter } from './handshake.ts';
import { ERROR_CODES, type CreateResult } from './protocol.ts';
import { fromBase64, toBase64 } from './wire.ts';

export interface CheckStep {
  step: string;
  ok: boolean;
  detail: string;
}

/** Bytes no text encoding survives unchanged: a NUL, an invalid UTF-8 byte and a lone newline. */
const BINARY_PROBE = Buffer.from([0x00, 0xff, 0x0a, 0x80, 0x41]);

export async function checkAdapter(command: AdapterCommand, env?: NodeJS.ProcessEnv): Promise<CheckStep[]> {
  const steps: CheckStep[] = [];
  const record = (step: string, ok: boolean, detail: string) => steps.push({ step, ok, detail });
  let adapter;
  try {
    adapter = await startAdapter(command, env);
  } catch (error) {
    record('handshake', false, (error as Error).message);
    return steps;
  }
  const { process, hello } = adapter;
  record('handshake', true, `protocol ${hello.protocolVersion}, runtime ${hello.runtime.name} ${hello.runtime.version}${hello.vmm ? `, VMM ${hello.vmm.name} ${hello.vmm.version}` : ''}`);
  record('capabilities', hello.capabilities.length > 0, hello.capabilities.length > 0 ? hello.capabilities.join(', ') : 'none: every case that needs one will skip');
  record('faults', true, hello.faults.length > 0 ? `${hello.faults.length} offered` : 'none offered: no case can be proven red on this runtime');
  try {
    await expectError(process, 'gauntlet.noSuchMethod', {}, ERROR_CODES.methodNotFound, 'unknown method', record);
    await expectError(process, 'exec', { sandbox: 'no-such-sandbox', command: 'true' }, undefined, 'unknown sandbox', record);
    await oneSandbox(process, record);
  } catch (error) {
    record('create, exec, destroy', false, (error as Error).message);
  } finally {
    await process.close();
  }
  return steps;
}

async function expectError(
  process: AdapterProcess,
  method: string,
  params: Record<string, unknown>,
  code: number | undefined,
  what: string,
  record: (step: string, ok: boolean, detail: string) => void,
): Promise<void> {
  const step = `error shape: ${what}`;
  try {
    await process.probe(method, params, ADAPTER.teardownDeadlineMs);
    record(step, false, `${method} succeeded; it must answer a JSON-RPC error`);
  } catch (error) {
    if (!process.alive) throw error;
    const message = (error as Error).message;
    const codeSeen = /error (-?\d+)/.exec(message)?.[1];
    const ok = code === undefined || codeSeen === String(code);
    record(step, ok, ok ? message : `expected error code ${code}, got: ${message}`);
  }
}

async function oneSandbox(process: AdapterProcess, record: (step: string, ok: boolean, detail: string) => void): Promise<void> {
  const created = await process.request<CreateResult>('create', { spec: { name: 'runtime-check' } });
  record('create', true, `sandbox ${created.sandbox}, ${created.spec.memoryMiB} MiB, ${created.spec.vcpus} vCPU, state ${created.status.state}`);
  try {
    const result = await process.request<{ exitCode: number; stdout: string }>('exec', { sandbox: created.sandbox, command: 'cat', stdin: toBase64(BINARY_PROBE) });
    const echoed = fromBase64(result.stdout);
    const ok = result.exitCode === 0 && echoed.equals(BINARY_PROBE);
    record('exec (binary stdin to stdout)', ok, ok ? 'cat returned the bytes it was given' : `exit ${result.exitCode}, stdout ${echoed.toString('hex')} (sent ${BINARY_PROBE.toString('hex')})`);
  } finally {
    await process.request('destroy', { sandbox: created.sandbox }, ADAPTER.teardownDeadlineMs);
    const { leftovers } = await process.request<{ leftovers: string[] }>('leftovers', { sandbox: created.sandbox }, ADAPTER.teardownDeadlineMs);
    record('destroy', leftovers.length === 0, leftovers.length === 0 ? 'nothing left behind' : `left behind: ${leftovers.join(', ')}`);
  }
}
