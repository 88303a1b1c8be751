/**
 * Validation of every protocol message against docs/runtime-protocol.schema.json, on both sides.
 * ajv compiles the schema once; a message that fails names the first broken field in one line.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

const SCHEMA_FILE = fileURLToPath(new URL('../../../docs/runtime-protocol.schema.json', import.meta.url));
const SCHEMA = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { $id: string; definitions: Record<string, unknown> };

const ajv = new Ajv({ strict: false, allErrors: false });
ajv.addSchema(SCHEMA);
const compiled = new Map<string, ValidateFunction>();

function validator(definition: string): ValidateFunction | undefined {
  if (!(definition in SCHEMA.definitions)) return undefined;
  let validate = compiled.get(definition);
  if (!validate) {
    validate = ajv.getSchema(`${SCHEMA.$id}#/definitions/${definition}`)!;
    compiled.set(definition, validate);
  }
  return validate;
}

/** Undefined when `value` fits the definition, else one line naming what does not. */
export function schemaProblem(definition: string, value: unknown): string | undefined {
  const validate = validator(definition);
  if (!validate) return `no schema for ${definition}`;
  if (validate(value)) return undefined;
  const first = validate.errors?.[0];
  return `${definition}${first?.instancePath || ''} ${first?.message ?? 'is invalid'}`;
}

/** Whether the schema defines a method's params (the methods this protocol version has). */
export function knownMethod(method: string): boolean {
  return `params.${method}` in SCHEMA.definitions;
}
