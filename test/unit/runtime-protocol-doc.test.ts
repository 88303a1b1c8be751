/**
 * docs/runtime-protocol.md and its schema agree: every worked exchange in the doc (a block of `→`
 * requests and `←` answers) fits the schema, each answer checked against the method of the request
 * with its id. `STATUS` in an exchange stands for the doc's own status example.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { schemaProblem } from '../../harness/runtime/exec-adapter/schema.ts';

const DOC = readFileSync(path.resolve(import.meta.dirname, '../../docs/runtime-protocol.md'), 'utf8');
const STATUS = /```json status\n(.+)\n```/.exec(DOC)?.[1];
const EXCHANGES = [...DOC.matchAll(/```exchange\n([^]*?)```/g)].map((match) => match[1]!.trim().split('\n'));

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: unknown;
}

/** Each line's problem with the schema, or undefined; answers are matched to their request by id. */
function problems(lines: string[]): (string | undefined)[] {
  const methods = new Map<number, string>();
  return lines.map((line) => {
    const direction = line.slice(0, 2);
    const message = JSON.parse(line.slice(2).replaceAll('STATUS', STATUS!)) as Message;
    if (direction === '→ ') {
      methods.set(message.id!, message.method!);
      return schemaProblem('request', message) ?? schemaProblem(`params.${message.method}`, message.params ?? {});
    }
    if (direction !== '← ') return `a line neither → nor ←: ${line.slice(0, 40)}`;
    const method = methods.get(message.id!);
    if (method === undefined) return `an answer to id ${message.id}, which no request of its block has`;
    return schemaProblem('response', message) ?? (message.result ? schemaProblem(`result.${method}`, message.result) : undefined);
  });
}

describe('docs/runtime-protocol.md', () => {
  test('has a status example that fits the schema, and worked exchanges', () => {
    expect(STATUS).toBeDefined();
    expect(schemaProblem('status', JSON.parse(STATUS!))).toBeUndefined();
    expect(EXCHANGES.length).toBeGreaterThanOrEqual(8);
  });

  test('every worked exchange fits the schema', () => {
    const found = EXCHANGES.flatMap((lines) => problems(lines).flatMap((problem, index) => (problem ? [`${lines[index]!.slice(0, 80)}…: ${problem}`] : [])));
    expect(found).toEqual([]);
  });

  test('the check reads what it claims: a refused message is found', () => {
    expect(problems(['→ {"jsonrpc":"2.0","id":1,"method":"create","params":{"spec":{"name":"x","disk":{"scratch":16}}}}'])[0]).toMatch(/additional properties/);
    expect(problems(['→ {"jsonrpc":"2.0","id":1,"method":"balloon.query","params":{"sandbox":"s0","balloon":0}}', '← {"jsonrpc":"2.0","id":1,"result":{"actual":136,"status":STATUS}}'])[1]).toMatch(/actualMiB/);
  });
});
