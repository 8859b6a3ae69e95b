import { didYouMean } from './did-you-mean.js';

/*
 * A small declarative schema for the configuration and the checker that walks it.
 * It checks plain values (what YAML parses to), fills defaults from a parallel
 * default tree, and reports every problem with its key path; the loader turns
 * paths into line/column. It is not JSON Schema: only what Portier needs.
 */

/** One step of a key path: a mapping key or a list index. */
export type PathSegment = string | number;

export interface StringSchema {
  type: 'string';
  pattern?: RegExp;
  /** A check a pattern cannot express (e.g. `net.isIP`). */
  test?: (value: string) => boolean;
  /** How an acceptable value is described in messages, e.g. `a SIP URI`. */
  expected?: string;
  minLength?: number;
  maxLength?: number;
}
export interface NumberSchema { type: 'integer' | 'number'; min?: number; max?: number }
export interface BooleanSchema { type: 'boolean' }
export interface EnumSchema { type: 'enum'; values: readonly (string | number)[] }
export interface ObjectSchema {
  type: 'object';
  fields: Record<string, Field>;
  /** A bare scalar stands for `{ [shorthand]: scalar }` (e.g. a target given as just its URI). */
  shorthand?: string;
}
export interface ArraySchema {
  type: 'array';
  items: Schema;
  minItems?: number;
  maxItems?: number;
  /** Defaults for the keys each (object) item leaves out. */
  itemDefaults?: object;
}
export interface MapSchema { type: 'map'; keyPattern: RegExp; keyExpected: string; values: Schema }
/** A secret string given inline, as `{ file: path }` or as `{ env: NAME }`; never echoed in messages. */
export interface SecretSchema { type: 'secret'; value: StringSchema }

export type Schema =
  | StringSchema
  | NumberSchema
  | BooleanSchema
  | EnumSchema
  | ObjectSchema
  | ArraySchema
  | MapSchema
  | SecretSchema;
/** A schema as an object field: `required` fields without a default must be present. */
export type Field = Schema & { required?: boolean };

/** A problem found by the checker; `at: 'key'` points at the mapping key rather than its value. */
export interface SchemaIssue {
  path: PathSegment[];
  message: string;
  at: 'key' | 'value';
}

/** What the checker needs from outside: secret sources and the original text of scalars. */
export interface SchemaContext {
  env: Record<string, string | undefined>;
  /** Reads a secret file; throws an error with a `code` (ENOENT…) when it cannot. */
  readSecretFile(path: string): string;
  /** The scalar as written (so `0123` or `1e3` given where a string is expected keep their text). */
  sourceText?(path: readonly PathSegment[]): string | undefined;
}

// Builders keep the Portier schema declaration short and readable.
export const str = (o: Omit<StringSchema, 'type'> = {}): StringSchema => ({ type: 'string', ...o });
export const int = (min?: number, max?: number): NumberSchema => ({ type: 'integer', min, max });
export const num = (min?: number, max?: number): NumberSchema => ({ type: 'number', min, max });
export const bool = (): BooleanSchema => ({ type: 'boolean' });
export const oneOf = (...values: (string | number)[]): EnumSchema => ({ type: 'enum', values });
export const obj = (fields: Record<string, Field>, shorthand?: string): ObjectSchema => ({ type: 'object', fields, shorthand });
export const list = (items: Schema, o: Omit<ArraySchema, 'type' | 'items'> = {}): ArraySchema => ({ type: 'array', items, ...o });
export const map = (keyPattern: RegExp, keyExpected: string, values: Schema): MapSchema => ({ type: 'map', keyPattern, keyExpected, values });
export const secret = (value: StringSchema = str({ minLength: 1 })): SecretSchema => ({ type: 'secret', value });
export const required = <S extends Schema>(s: S): S & { required: true } => ({ ...s, required: true });

/** `sip.accounts[0].registrar` from its segments. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** How a value of this schema is described in "expected …". */
export function describe(schema: Schema): string {
  switch (schema.type) {
    case 'string':
      return schema.expected ?? 'a string';
    case 'integer':
    case 'number': {
      const noun = schema.type === 'integer' ? 'an integer' : 'a number';
      if (schema.min !== undefined && schema.max !== undefined) return `${noun} from ${schema.min} to ${schema.max}`;
      if (schema.min !== undefined) return `${noun} of at least ${schema.min}`;
      if (schema.max !== undefined) return `${noun} of at most ${schema.max}`;
      return noun;
    }
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${schema.values.join(', ')}`;
    case 'object':
      return schema.shorthand ? `a mapping or ${describe(schema.fields[schema.shorthand] ?? str())}` : 'a mapping';
    case 'array':
      return 'a list';
    case 'map':
      return 'a mapping';
    case 'secret':
      return `${describe(schema.value)}, { file: path } or { env: NAME }`;
  }
}

/** How a found value is shown: strings quoted, collections named, secrets hidden. */
export function describeFound(value: unknown, hidden = false): string {
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  if (hidden) return 'a value (hidden)';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  return String(value);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks `value` against `schema`, filling what is absent from `defaults`.
 * Returns the checked value (or `undefined` when absent without default or
 * invalid); problems are appended to `issues`.
 */
export function checkValue(
  schema: Schema,
  value: unknown,
  defaults: unknown,
  path: PathSegment[],
  ctx: SchemaContext,
  issues: SchemaIssue[],
  hidden = false,
): unknown {
  if (value === undefined || value === null) return defaults === undefined ? undefined : structuredClone(defaults);
  const fail = (message: string, at: 'key' | 'value' = 'value'): undefined => {
    issues.push({ path, message, at });
    return undefined;
  };
  const mismatch = (): undefined => fail(`found ${describeFound(value, hidden)}, expected ${describe(schema)}`);

  switch (schema.type) {
    case 'string': {
      let text: string;
      if (typeof value === 'string') text = value;
      // An unquoted 0123 or 1001 where text is expected is meant as text: keep what was written.
      else if (typeof value === 'number') text = ctx.sourceText?.(path) ?? String(value);
      else return mismatch();
      if (schema.minLength !== undefined && text.length < schema.minLength) {
        return schema.minLength === 1 && !schema.expected
          ? fail('found an empty string, expected a non-empty string')
          : fail(`found ${describeFound(text, hidden)}, expected ${describe(schema)}`);
      }
      const tooLong = schema.maxLength !== undefined && text.length > schema.maxLength;
      if (tooLong || (schema.pattern && !schema.pattern.test(text)) || (schema.test && !schema.test(text))) {
        return fail(`found ${describeFound(text, hidden)}, expected ${describe(schema)}`);
      }
      return text;
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || Number.isNaN(value)) return mismatch();
      if (schema.type === 'integer' && !Number.isInteger(value)) return mismatch();
      if ((schema.min !== undefined && value < schema.min) || (schema.max !== undefined && value > schema.max)) return mismatch();
      return value;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : mismatch();
    case 'enum':
      return schema.values.includes(value as string | number) ? value : mismatch();
    case 'object': {
      if (schema.shorthand !== undefined && (typeof value === 'string' || typeof value === 'number')) {
        value = { [schema.shorthand]: value };
      }
      if (!isPlainObject(value)) return mismatch();
      const out: Record<string, unknown> = {};
      const known = Object.keys(schema.fields);
      for (const key of Object.keys(value)) {
        if (Object.hasOwn(schema.fields, key)) continue;
        const guess = didYouMean(key, known);
        issues.push({ path: [...path, key], message: `unknown key${guess ? `, did you mean "${guess}"?` : ''}`, at: 'key' });
      }
      const defs = isPlainObject(defaults) ? defaults : undefined;
      for (const [key, field] of Object.entries(schema.fields)) {
        const childDefault = defs?.[key];
        const childPath = [...path, key];
        const given = value[key];
        if ((given === undefined || given === null) && childDefault === undefined) {
          if (field.required) issues.push({ path: childPath, message: `missing, expected ${describe(field)}`, at: 'value' });
          continue;
        }
        const checked = checkValue(field, given, childDefault, childPath, ctx, issues);
        if (checked !== undefined) out[key] = checked;
      }
      return out;
    }
    case 'array': {
      if (!Array.isArray(value)) return mismatch();
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        return fail(`found ${value.length} item(s), expected at least ${schema.minItems}`);
      }
      if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        return fail(`found ${value.length} items, expected at most ${schema.maxItems}`);
      }
      return value.map((item, i) => {
        if (item === null || item === undefined) {
          issues.push({ path: [...path, i], message: `found an empty item, expected ${describe(schema.items)}`, at: 'value' });
          return undefined;
        }
        return checkValue(schema.items, item, schema.itemDefaults, [...path, i], ctx, issues);
      });
    }
    case 'map': {
      if (!isPlainObject(value)) return mismatch();
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        if (!schema.keyPattern.test(key)) {
          issues.push({ path: [...path, key], message: `found key ${JSON.stringify(key)}, expected ${schema.keyExpected}`, at: 'key' });
          continue;
        }
        const checked = checkValue(schema.values, v ?? {}, undefined, [...path, key], ctx, issues);
        if (checked !== undefined) out[key] = checked;
      }
      return out;
    }
    case 'secret':
      return checkSecret(schema, value, path, ctx, issues);
  }
}

function checkSecret(schema: SecretSchema, value: unknown, path: PathSegment[], ctx: SchemaContext, issues: SchemaIssue[]): unknown {
  const fail = (message: string): undefined => {
    issues.push({ path, message, at: 'value' });
    return undefined;
  };
  let text: unknown = value;
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    const source = value.file ?? value.env;
    if (keys.length !== 1 || typeof source !== 'string' || source === '') {
      return fail(`found a mapping with keys ${keys.join(', ') || '(none)'}, expected ${describe(schema)}`);
    }
    if (keys[0] === 'file') {
      try {
        text = ctx.readSecretFile(source).trim();
      } catch (error) {
        const code = (error as { code?: string }).code ?? (error as Error).message;
        return fail(`cannot read secret file ${JSON.stringify(source)} (${code})`);
      }
    } else {
      text = ctx.env[source];
      if (text === undefined) return fail(`environment variable ${source} is not set`);
    }
  } else if (typeof value !== 'string' && typeof value !== 'number') {
    return fail(`found ${describeFound(value, true)}, expected ${describe(schema)}`);
  }
  return checkValue(schema.value, text, undefined, path, ctx, issues, true);
}
