/**
 * GitHub Actions expressions, as far as the steps the dry run executes use them: context references
 * (`matrix.arch`, `steps.cache.outputs.cache-hit`), string, number and boolean literals, `!`, `==`,
 * `!=`, `&&`, `||`, parentheses and the status functions. Anything else throws, so a workflow that
 * grows an expression this does not know fails the dry run instead of being guessed at.
 */

export type Value = string | number | boolean | null;
export interface Contexts {
  [name: string]: unknown;
}
export interface Status {
  /** A step before this one failed (in this job, or this composite action). */
  failed: boolean;
}

const TOKEN = /\s*(?:(\d+(?:\.\d+)?)|'((?:[^']|'')*)'|(==|!=|&&|\|\||!|\(|\)|,)|([A-Za-z_][\w.-]*))/y;

type Token = { kind: 'number'; value: number } | { kind: 'string'; value: string } | { kind: 'op'; value: string } | { kind: 'name'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.trimEnd().length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw new Error(`expression not understood at "${text.slice(at)}" in: ${text}`);
    if (match[1] !== undefined) tokens.push({ kind: 'number', value: Number(match[1]) });
    else if (match[2] !== undefined) tokens.push({ kind: 'string', value: match[2].replaceAll("''", "'") });
    else if (match[3] !== undefined) tokens.push({ kind: 'op', value: match[3] });
    else tokens.push({ kind: 'name', value: match[4]! });
  }
  return tokens;
}

/** GitHub's loose equality: strings compare case-insensitively, other kinds by their number. */
function equal(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return toNumber(a) === toNumber(b);
}

function toNumber(value: Value): number {
  if (value === null) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  return value.trim() === '' ? 0 : Number(value);
}

export function truthy(value: Value): boolean {
  return value !== null && value !== false && value !== 0 && value !== '' && !Number.isNaN(value);
}

export function evaluate(text: string, contexts: Contexts, status: Status): Value {
  const tokens = tokenize(text);
  let at = 0;
  const peek = () => tokens[at];
  const take = (op?: string) => {
    const token = tokens[at++];
    if (!token || (op && !(token.kind === 'op' && token.value === op))) throw new Error(`expected ${op ?? 'more'} in: ${text}`);
    return token;
  };
  const isOp = (op: string) => peek()?.kind === 'op' && peek()!.value === op;

  const primary = (): Value => {
    const token = take();
    if (token.kind === 'number' || token.kind === 'string') return token.value;
    if (token.kind === 'op' && token.value === '!') return !truthy(primary());
    if (token.kind === 'op' && token.value === '(') {
      const inner = or();
      take(')');
      return inner;
    }
    if (token.kind !== 'name') throw new Error(`unexpected ${token.value} in: ${text}`);
    if (token.value === 'true' || token.value === 'false') return token.value === 'true';
    if (token.value === 'null') return null;
    if (isOp('(')) {
      const known: Record<string, boolean> = { always: true, cancelled: false, success: !status.failed, failure: status.failed };
      if (!Object.hasOwn(known, token.value)) throw new Error(`function ${token.value}() is not among those the dry run evaluates, in: ${text}`);
      take('(');
      take(')');
      return known[token.value]!;
    }
    return lookup(token.value, contexts, text);
  };
  const comparison = (): Value => {
    let left = primary();
    while (isOp('==') || isOp('!=')) {
      const op = take().value;
      const right = primary();
      left = op === '==' ? equal(left, right) : !equal(left, right);
    }
    return left;
  };
  // && and || return one of their operands, as GitHub's do.
  const logical = (op: string, operand: () => Value, pick: (left: Value, right: Value) => Value) => (): Value => {
    let left = operand();
    while (isOp(op)) {
      take();
      left = pick(left, operand());
    }
    return left;
  };
  const and = logical('&&', comparison, (left, right) => (truthy(left) ? right : left));
  const or = logical('||', and, (left, right) => (truthy(left) ? left : right));
  const value = or();
  if (at !== tokens.length) throw new Error(`trailing tokens in: ${text}`);
  return value;
}

function lookup(reference: string, contexts: Contexts, text: string): Value {
  const [head, ...path] = reference.split('.');
  if (!(head! in contexts)) throw new Error(`context ${head} is not among those the dry run fills in, in: ${text}`);
  let value: unknown = contexts[head!];
  for (const key of path) value = value === null || value === undefined ? undefined : (value as Record<string, unknown>)[key];
  if (value === undefined) return null;
  if (typeof value === 'object' && value !== null) throw new Error(`${reference} is an object, in: ${text}`);
  return value as Value;
}

const TEMPLATE = /\$\{\{(.*?)\}\}/g;

/** A string with `${{ … }}` placeholders filled in, as the runner does before a step runs. */
export function fill(text: string, contexts: Contexts, status: Status): string {
  return text.replace(TEMPLATE, (_, expression: string) => {
    const value = evaluate(expression, contexts, status);
    return value === null ? '' : String(value);
  });
}

/** An `if:` condition: with or without `${{ }}`, and `success()` when there is none. */
export function condition(text: string | undefined, contexts: Contexts, status: Status): boolean {
  if (text === undefined) return !status.failed;
  const bare = text.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const value = evaluate(bare, contexts, status);
  // GitHub adds success() to a condition that calls no status function.
  const callsStatus = /\b(always|cancelled|success|failure)\(\)/.test(bare);
  return truthy(value) && (callsStatus || !status.failed);
}
