/**
 * `gauntlet runtime check exec:COMMAND`: what an adapter's author runs before a full run. It says
 * hello, weighs the names the adapter claims, asks for errors on purpose to see their codes, makes one
 * VM shaped by the claimed capabilities and runs what every runtime owes on it and then a short step
 * per claimed capability, restores from a snapshot when that is claimed, and closes the adapter's
 * input to see it exit. Every step runs whatever the others found, and all findings come back at
 * once: failures (with their kind and the exchange that showed them) and warnings.
 */
import { isCapability } from '../../contract/capabilities.ts';
import { FAULTS } from '../../contract/faults.ts';
import type { AdapterCommand } from './adapter-command.ts';
import { capabilitySteps, checkSpec, snapshotSteps, type Claims } from './conformance-capabilities.ts';
import { Transcript, type Finding } from './conformance-findings.ts';
import { CheckedSandbox, destroyStep, everyRuntimeSteps } from './conformance-sandbox.ts';
import { CheckSession } from './conformance-session.ts';
import { startAdapter } from './handshake.ts';
import { ERROR_CODES, type InitializeResult } from './protocol.ts';

export interface CheckOptions {
  /** A create slower than this is worth a warning: every case pays it. */
  slowCreateMs?: number;
}

const SLOW_CREATE_MS = 30_000;

export async function checkAdapter(command: AdapterCommand, env?: NodeJS.ProcessEnv, options: CheckOptions = {}): Promise<Finding[]> {
  const transcript = new Transcript();
  let adapter;
  try {
    adapter = await startAdapter(command, env, { tolerant: true, onLine: transcript.record });
  } catch (error) {
    return [{ step: 'handshake', verdict: 'fail', kind: 'protocol', detail: (error as Error).message }];
  }
  const { process, hello } = adapter;
  const session = new CheckSession(process, transcript);
  try {
    session.pass('handshake', `protocol ${hello.protocolVersion}, runtime ${hello.runtime.name} ${hello.runtime.version}${hello.vmm ? `, VMM ${hello.vmm.name} ${hello.vmm.version}` : ''}`);
    weighNames(session, hello);
    await errorShapeSteps(session);
    const claims: Claims = new Set(hello.capabilities);
    await sandboxSteps(session, claims, options.slowCreateMs ?? SLOW_CREATE_MS);
  } finally {
    const exitedOnItsOwn = await process.close();
    if (!exitedOnItsOwn) session.warn('end of input', 'the adapter did not exit once its stdin closed: it must destroy what is left and exit within 10 s, or the harness kills its process group');
  }
  return session.findings;
}

function weighNames(session: CheckSession, hello: InitializeResult): void {
  session.pass('capabilities', hello.capabilities.length > 0 ? hello.capabilities.join(', ') : 'none: every case that needs one will skip');
  const unknown = hello.capabilities.filter((name) => !isCapability(name));
  if (unknown.length > 0) session.warn('capability names', `${unknown.join(', ')}: no case reads ${unknown.length === 1 ? 'this name' : 'these names'} (docs/runtime-protocol.md lists the capabilities)`);
  session.pass('faults', hello.faults.length > 0 ? `${hello.faults.length} offered` : 'none offered: no case can be proven red on this runtime');
  // A fault named bare must be the catalogue's; one of the adapter's own comes declared, with the cases it turns red.
  const unknownFaults = hello.faults.filter((fault): fault is string => typeof fault === 'string' && !(FAULTS as readonly string[]).includes(fault));
  if (unknownFaults.length > 0) session.warn('fault names', `${unknownFaults.join(', ')}: not a fault of the catalogue; declare a fault of your own as {name, turnsRed, about}`);
}

/** Errors asked for on purpose: each must be an error, and its code the documented one. */
async function errorShapeSteps(session: CheckSession): Promise<void> {
  const probes = [
    { what: 'unknown method', method: 'gauntlet.noSuchMethod', params: {}, code: ERROR_CODES.methodNotFound },
    { what: 'unknown sandbox', method: 'exec', params: { sandbox: 'no-such-sandbox', command: 'true' }, code: ERROR_CODES.invalidParams },
    { what: 'invalid params', method: 'exec', params: { sandbox: 'no-such-sandbox' }, code: ERROR_CODES.invalidParams },
  ];
  for (const { what, method, params, code } of probes) {
    const step = `error code: ${what}`;
    await session.step(step, async () => {
      const answer = await session.probe(method, params);
      if (answer.code === undefined) throw new Error(`${method} with ${what} succeeded; it must answer a JSON-RPC error`);
      if (answer.code === code) return `error ${answer.code}`;
      session.warn(step, `answered error ${answer.code} where ${code} is documented`, answer.exchange);
      return undefined;
    });
  }
}

async function sandboxSteps(session: CheckSession, claims: Claims, slowCreateMs: number): Promise<void> {
  let sandbox: CheckedSandbox | undefined;
  await session.step('create', async () => {
    sandbox = await CheckedSandbox.create(session, checkSpec(claims));
    return `sandbox ${sandbox.id}, ${sandbox.spec.memoryMiB} MiB, ${sandbox.spec.vcpus} vCPU, answered in ${(sandbox.createMs / 1000).toFixed(1)} s`;
  });
  if (sandbox) {
    if (sandbox.createMs > slowCreateMs) session.warn('create speed', `create took ${(sandbox.createMs / 1000).toFixed(1)} s: every case pays it (a VM under TCG is ready in a few seconds)`);
    await everyRuntimeSteps(session, sandbox);
    await capabilitySteps(session, sandbox, claims);
    await destroyStep(session, sandbox);
  }
  if (claims.has('snapshot')) await snapshotSteps(session, sandbox);
}
