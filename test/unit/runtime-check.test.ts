/**
 * `gauntlet runtime check` against scripted adapters (test/fixtures/adapters/fake-adapter.mjs, whose
 * "VM" is a host shell): every step runs whatever the others found, a failure says its kind and quotes
 * its exchange, and what does not fail a run is a warning.
 */
import { describe, expect, test } from 'vitest';
import { parseAdapterCommand } from '../../harness/runtime/exec-adapter/adapter-command.ts';
import { checkAdapter } from '../../harness/runtime/exec-adapter/conformance.ts';
import { formatFinding, type Finding } from '../../harness/runtime/exec-adapter/conformance-findings.ts';

const check = (mode: string, options = {}) => checkAdapter(parseAdapterCommand(`exec:node test/fixtures/adapters/fake-adapter.mjs ${mode}`), undefined, options);
const failures = (findings: Finding[]) => findings.filter((finding) => finding.verdict === 'fail');
const warnings = (findings: Finding[]) => findings.filter((finding) => finding.verdict === 'warn');

describe('runtime check', () => {
  test('passes an adapter that does what it claims (nothing, here) and runs what every runtime owes', async () => {
    const findings = await check('ok');
    expect(failures(findings).map(formatFinding)).toEqual([]);
    expect(warnings(findings).map(formatFinding)).toEqual([]);
    expect(findings.map((finding) => finding.step)).toEqual(
      expect.arrayContaining(['handshake', 'create', 'exec: binary stdin to stdout', 'exec: exit code and streams', 'exec: timeout', 'exec: output limit', 'events', 'no balloon', 'destroy']),
    );
  });

  test('an adapter claiming every capability with none of their methods fails, each missing method listed in one run', async () => {
    const findings = await check('claims-all');
    const missing = failures(findings).filter((finding) => finding.kind === 'missing method');
    const missingMethods = new Set(missing.flatMap((finding) => /error -32601: no method (\S+)/.exec(finding.detail)?.[1] ?? []));
    expect([...missingMethods].sort()).toEqual(['balloon.connect', 'balloon.limits', 'footprint', 'reconnectAgent', 'setHostStorageFull', 'stop', 'upload', 'vmmMemory']);
    // Each capability with a method of its own failed its step (the guest-side ones, scratch-disk and the
    // balloon features, read files a host shell may happen to have).
    expect(failures(findings).map((finding) => finding.step)).toEqual(
      expect.arrayContaining(['balloon: limits', 'balloon: move', 'balloon-stats: refresh', 'host-vmm-memory', 'host-memory-reclaim', 'host-footprint', 'file-transfer', 'agent-reconnect', 'gauntlet-agent', 'io-error-pause', 'stop-start', 'snapshot: save and restore']),
    );
    // Each failure quotes the exchange that showed it.
    for (const finding of missing) expect(finding.exchange?.[0], finding.step).toMatch(/^→ \{"jsonrpc":"2.0","id":\d+,"method":/);
  });

  test('a result the schema refuses fails that step only: the checks after it still run', async () => {
    const findings = await check('schema-break');
    const schema = failures(findings).filter((finding) => finding.kind === 'schema');
    expect(schema.map((finding) => finding.step)).toEqual(expect.arrayContaining(['exec: binary stdin to stdout', 'exec: timeout']));
    expect(schema[0]!.detail).toMatch(/answered exec with a result the protocol refuses: result.exec must have required property 'timedOut'/);
    expect(findings.find((finding) => finding.step === 'destroy')).toMatchObject({ verdict: 'ok' });
  });

  test('a create that answers before the VM runs fails on its meaning', async () => {
    const [problem] = failures(await check('created-state'));
    expect(problem).toMatchObject({ step: 'create: a running VM', kind: 'semantics' });
    expect(problem!.detail).toMatch(/state must be running, was created/);
    expect(problem!.exchange?.[1]).toMatch(/^← .*"state":"created"/);
  });

  test('warns of unknown names, wrong error codes, a slow create and an adapter that ignores end of input', async () => {
    expect(warnings(await check('wrong-names')).map((finding) => finding.detail)).toEqual([
      expect.stringMatching(/^balloon-magic: no case reads this name/),
      expect.stringMatching(/^made-up-fault: not a fault of the catalogue/),
    ]);
    const codes = warnings(await check('wrong-codes'));
    expect(codes.map((finding) => `${finding.step}: ${finding.detail}`)).toEqual([
      'error code: unknown sandbox: answered error -32000 where -32602 is documented',
      'error code: invalid params: answered error -32000 where -32602 is documented',
    ]);
    expect(warnings(await check('slow-create', { slowCreateMs: 300 })).map((finding) => finding.step)).toEqual(['create speed']);
    expect(warnings(await check('ignores-eof')).map((finding) => finding.step)).toEqual(['end of input']);
  }, 30_000);

  test('names a newer protocol version in one line', async () => {
    const [problem] = failures(await check('wrong-version'));
    expect(problem).toMatchObject({ step: 'handshake', kind: 'protocol' });
    expect(problem!.detail).toMatch(/speaks runtime protocol 99, newer than this harness \(2\): update gauntlet/);
  });

  test('names a missing create, and what it kept from running', async () => {
    const found = failures(await check('missing-method'));
    expect(found[0]).toMatchObject({ step: 'create', kind: 'missing method' });
    expect(found[0]!.detail).toMatch(/answered create with error -32601: no method create/);
  });

  test('a garbage line or a crash is a protocol failure; the steps after it say they could not run', async () => {
    const garbage = failures(await check('garbage-line'));
    expect(garbage[0]).toMatchObject({ kind: 'protocol' });
    expect(garbage[0]!.detail).toMatch(/wrote a line that is no JSON on stdout: "\\u0007this is no JSON"/);
    expect(garbage.at(-1)!.detail).toMatch(/^not run: the adapter died in step "exec: binary stdin to stdout"/);
    const [crash] = failures(await check('crash-mid-case'));
    expect(crash!.detail).toMatch(/exited with code 139; its stderr ends:\nfake adapter: segfault in exec/);
  });
});
