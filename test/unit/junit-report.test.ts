import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { junitXml } from '../../harness/reports/junit.ts';
import { assembleRecord } from '../../harness/reports/run-record.ts';
import { caseMatrix } from '../../harness/reports/matrix.ts';
import { AARCH64_BALLOON_SKIP, bootAttempt, environment, matrixRecord, part, sampleRecord, X86_BALLOON_FAILURE } from './fixtures/sample-record.ts';

interface Node {
  [name: string]: unknown;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  cdataPropName: '#cdata',
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
});

/** The JUnit schema's structure as CI servers read it (Jenkins, GitLab): elements and required attributes. */
function parseJunit(xml: string): Node[] {
  const wellFormed = XMLValidator.validate(xml);
  expect(wellFormed, JSON.stringify(wellFormed)).toBe(true);
  const document = parser.parse(xml) as { testsuites?: { testsuite?: Node[] } & Node };
  expect(document.testsuites, 'root element is <testsuites>').toBeDefined();
  const suites = document.testsuites!.testsuite ?? [];
  for (const suite of suites) {
    for (const attribute of ['@name', '@tests', '@failures', '@errors', '@skipped', '@time', '@timestamp']) {
      expect(suite[attribute], `testsuite ${String(suite['@name'])} has ${attribute}`).toBeDefined();
    }
    const cases = suite.testcase as Node[];
    expect(Number(suite['@tests'])).toBe(cases.length);
    expect(Number(suite['@failures'])).toBe(cases.filter((testCase) => testCase.failure !== undefined).length);
    expect(Number(suite['@skipped'])).toBe(cases.filter((testCase) => testCase.skipped !== undefined).length);
    for (const testCase of cases) {
      for (const attribute of ['@name', '@classname', '@time']) expect(testCase[attribute], `testcase has ${attribute}`).toBeDefined();
      expect(Number.isFinite(Number(testCase['@time']))).toBe(true);
    }
  }
  return suites;
}

function property(suite: Node, name: string): string | undefined {
  const properties = (suite.properties as { property: Node[] } | undefined)?.property ?? [];
  return properties.find((entry) => entry['@name'] === name)?.['@value'] as string | undefined;
}

function testCase(suites: Node[], name: string): Node {
  const found = suites.flatMap((suite) => suite.testcase as Node[]).find((entry) => entry['@name'] === name);
  expect(found, `testcase ${name}`).toBeDefined();
  return found!;
}

describe('JUnit XML', () => {
  it('is well formed and carries every required attribute, with one testsuite per group and matrix cell', () => {
    const suites = parseJunit(junitXml(sampleRecord()));
    expect(suites.map((suite) => suite['@name']).sort()).toEqual([
      'balloon [x86_64 / tcg / linux]',
      'disk [x86_64 / tcg / linux]',
      'lifecycle [x86_64 / tcg / linux]',
    ]);
  });

  it('lists host facts, QEMU, accelerator with its reason, guest kernel and image hash as properties', () => {
    const [suite] = parseJunit(junitXml(sampleRecord()));
    const env = environment();
    expect(property(suite!, 'host.cpuModel')).toBe(env.host.cpuModel);
    expect(property(suite!, 'host.physicalCores')).toBe(String(env.host.physicalCores));
    expect(property(suite!, 'host.totalMemMiB')).toBe(String(env.host.totalMemMiB));
    expect(property(suite!, 'host.osDistro')).toBe(env.host.osDistro);
    expect(property(suite!, 'host.kernel')).toBe(env.host.kernel);
    expect(property(suite!, 'host.cpuVirtualization')).toBe('true');
    expect(property(suite!, 'vmmVersion')).toBe(env.vmmVersion);
    expect(property(suite!, 'accelerator')).toBe('tcg');
    expect(property(suite!, 'acceleratorReason')).toBe(env.acceleratorReason);
    expect(property(suite!, 'guestKernel')).toBe(env.guestKernel);
    expect(property(suite!, 'imageHash')).toBe(env.imageHash);
    expect(property(suite!, 'repeats')).toBe('2');
  });

  it('gives a failure its message and the serial console tail, and lists the artifacts', () => {
    const failed = testCase(parseJunit(junitXml(sampleRecord())), 'destroy-leaves-nothing');
    const failure = failed.failure as Node;
    expect(failure['@message']).toMatch(/^failed 2 of 2 attempts: VM destroy-leaves-nothing did not become ready/);
    expect(failure['@type']).toBe('failed');
    const detail = [failure['#cdata']].flat().join('');
    expect(detail).toContain('serial console (last lines)');
    expect(detail).toContain('virtio_balloon: loaded');
    expect(detail).toContain('<script>alert(1)</script>');
    const systemErr = [(failed['system-err'] as Node)['#cdata']].flat().join('');
    for (const repeat of [1, 2]) {
      expect(systemErr).toContain(`[[ATTACHMENT|artifacts/repeat-${repeat}/suites_lifecycle_lifecycle.test.ts/destroy-leaves-nothing/destroy-leaves-nothing/console.log]]`);
      expect(systemErr).toContain(`[[ATTACHMENT|artifacts/repeat-${repeat}/suites_lifecycle_lifecycle.test.ts/destroy-leaves-nothing/destroy-leaves-nothing/cmdline.txt]]`);
    }
  });

  it('keeps the note of a skipped case and marks a case that passed and failed across repeats as flaky', () => {
    const suites = parseJunit(junitXml(sampleRecord()));
    const skipped = testCase(suites, 'stop-start-preserves-disk');
    expect(skipped.skipped).toBeDefined();
    expect([(skipped['system-out'] as Node)['#cdata']].flat().join('')).toBe('skipped: runtime qemu lacks capability: stop-start');
    const flaky = testCase(suites, 'inflate-reduces-available').failure as Node;
    expect(flaky['@type']).toBe('flaky');
    expect(flaky['@message']).toMatch(/^flaky: failed 1 of 2 attempts: MemAvailable fell/);
    expect(testCase(suites, 'boot-to-ready').failure).toBeUndefined();
  });

  it('names shards and matrix cells apart, so merged hosts never share a testsuite', () => {
    const attemptOf = (id: string) => [[{ group: 'lifecycle', id, file: 'f.ts', attempt: bootAttempt(2_000) }]];
    const record = assembleRecord([
      part(attemptOf('a'), { shard: { index: 1, count: 2 } }),
      part(attemptOf('b'), { shard: { index: 2, count: 2 }, environment: environment({ accelerator: 'kvm' }) }),
    ]);
    const suites = parseJunit(junitXml(record));
    expect(suites.map((suite) => suite['@name'])).toEqual(['lifecycle [x86_64 / tcg / linux] shard 1/2', 'lifecycle [x86_64 / kvm / linux] shard 2/2']);
    expect(suites.map((suite) => property(suite, 'shard'))).toEqual(['1/2', '2/2']);
  });

  it('names the testsuites of a merged matrix by the same cell labels as the HTML matrix columns', () => {
    const record = matrixRecord();
    const suites = parseJunit(junitXml(record));
    expect(suites.map((suite) => suite['@name'])).toEqual([
      'lifecycle [x86_64 / tcg / linux] shard 1/2',
      'balloon [x86_64 / tcg / linux] shard 2/2',
      'disk [x86_64 / tcg / linux] shard 2/2',
      'agent [x86_64 / tcg / linux] shard 2/2',
      'lifecycle [aarch64 / tcg / linux]',
      'balloon [aarch64 / tcg / linux]',
      'agent [aarch64 / tcg / linux]',
    ]);
    const cellsInSuiteNames = new Set(suites.map((suite) => /\[(.+)\]/.exec(String(suite['@name']))![1]));
    expect([...cellsInSuiteNames]).toEqual(caseMatrix(record).columns.map((column) => column.cell));
    const balloon = suites.filter((suite) => String(suite['@name']).startsWith('balloon ')).map((suite) => (suite.testcase as Node[])[0]!);
    expect(balloon.map((entry) => entry['@classname'])).toEqual(['balloon.x86_64 / tcg / linux', 'balloon.aarch64 / tcg / linux']);
    expect((balloon[0]!.failure as Node)['@message']).toBe(X86_BALLOON_FAILURE);
    expect(property(balloon[0]!, 'failed-assertion'), 'the claim that broke, for a CI tool to group by').toBe('inflate-reduces-available/available-drops');
    expect([(balloon[1]!['system-out'] as Node)['#cdata']].flat().join('')).toBe(`skipped: ${AARCH64_BALLOON_SKIP}`);
  });
});
