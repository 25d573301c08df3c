import { ApiError } from './errors';

/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1), as plain JSON. */
export type JsonSchema = { [keyword: string]: unknown };

/**
 * One definition that both describes and checks a value: `json` goes into the
 * OpenAPI document, `parse` validates requests (and, in tests, responses), and
 * `Infer<typeof s>` is the TypeScript type, so the three cannot drift apart.
 */
export interface Schema<T> {
  readonly json: JsonSchema;
  /**
   * `value` as a `T`.
   * @throws ApiError `invalid_request` naming `name` (sharp's style: "Expected … for limit but received 101").
   */
  parse(value: unknown, name: string): T;
  /** How a path, query or header value (always text) is read before `parse`: integers are numbers. */
  fromText(text: string): unknown;
  /** Set by {@link optional}: an object may omit this property. */
  readonly optional?: true;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

interface Common {
  description?: string;
  /** Added to the error's `details` when a value is refused (e.g. the allowed sizes). */
  errorDetails?: Record<string, unknown>;
}

/** A received value as an error message shows it: short, and never a whole body. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

/** @param name the value's name; `''` for a whole request body. */
function refuse(expected: string, name: string, value: unknown, details?: Record<string, unknown>): never {
  throw new ApiError('invalid_request', `Expected ${expected} for ${name || 'the body'} but received ${shown(value)}`, {
    details: { ...(name ? { field: name } : {}), ...details },
  });
}

function described(json: JsonSchema, description: string | undefined): JsonSchema {
  return description === undefined ? json : { ...json, description };
}

const asIs = (text: string): unknown => text;

function build<T>(json: JsonSchema, parse: (value: unknown, name: string) => T, fromText = asIs): Schema<T> {
  return { json, parse, fromText };
}

/** A string, optionally matching `pattern` (no flags: JSON Schema patterns are plain ECMA-262). */
export function string(options: Common & { pattern?: RegExp; rule?: string; format?: string } = {}): Schema<string> {
  const { pattern, format } = options;
  const json = described(
    { type: 'string', ...(pattern ? { pattern: pattern.source } : {}), ...(format ? { format } : {}) },
    options.description,
  );
  const expected = options.rule ?? (pattern ? `a string matching ${pattern.source}` : 'a string');
  return build(json, (value, name) => {
    if (typeof value !== 'string' || (pattern && !pattern.test(value))) {
      refuse(expected, name, value, options.errorDetails);
    }
    return value;
  });
}

/** One of a fixed list of strings. */
export function choice<const E extends string>(values: readonly E[], options: Common = {}): Schema<E> {
  const json = described({ type: 'string', enum: [...values] }, options.description);
  return build(json, (value, name) => {
    if (!values.includes(value as E)) refuse(`one of ${values.join(', ')}`, name, value, options.errorDetails);
    return value as E;
  });
}

/** A safe integer within bounds, or one of `enum`. Read from text only when it is plain decimal digits. */
export function integer(options: Common & { minimum?: number; maximum?: number; enum?: readonly number[] } = {}) {
  const { minimum, maximum } = options;
  const allowed = options.enum;
  const json = described(
    {
      type: 'integer',
      ...(minimum !== undefined ? { minimum } : {}),
      ...(maximum !== undefined ? { maximum } : {}),
      ...(allowed ? { enum: [...allowed] } : {}),
    },
    options.description,
  );
  const expected = allowed
    ? `one of ${allowed.join(', ')}`
    : minimum !== undefined && maximum !== undefined
      ? `integer between ${minimum} and ${maximum}`
      : minimum !== undefined
        ? `integer of at least ${minimum}`
        : 'integer';
  return build<number>(
    json,
    (value, name) => {
      const ok =
        typeof value === 'number' &&
        Number.isSafeInteger(value) &&
        (minimum === undefined || value >= minimum) &&
        (maximum === undefined || value <= maximum) &&
        (!allowed || allowed.includes(value));
      if (!ok) refuse(expected, name, value, options.errorDetails);
      return value;
    },
    (text) => (/^(0|[1-9]\d{0,15})$/.test(text) ? Number(text) : text),
  );
}

export function boolean(options: Common = {}): Schema<boolean> {
  return build(described({ type: 'boolean' }, options.description), (value, name) => {
    if (typeof value !== 'boolean') refuse('true or false', name, value);
    return value;
  });
}

/** `T` or JSON `null`. */
export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return build({ anyOf: [inner.json, { type: 'null' }] }, (value, name) =>
    value === null ? null : inner.parse(value, name),
  );
}

export function array<T>(items: Schema<T>, options: Common = {}): Schema<T[]> {
  return build(described({ type: 'array', items: items.json }, options.description), (value, name) => {
    if (!Array.isArray(value)) refuse('an array', name, value);
    return value.map((item, index) => items.parse(item, `${name}[${index}]`));
  });
}

/** A property an object may leave out. */
export function optional<T>(inner: Schema<T>): Schema<T | undefined> & { readonly optional: true } {
  return {
    json: inner.json,
    optional: true,
    fromText: inner.fromText,
    parse: (value, name) => (value === undefined ? undefined : inner.parse(value, name)),
  };
}

export type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type Flat<T> = { [K in keyof T]: T[K] };
export type ObjectOf<S extends Shape> = Flat<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & {
    [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined>;
  }
>;

/**
 * A JSON object with these properties. `closed` objects (responses) refuse
 * properties they do not list (`additionalProperties: false`), so a test that
 * parses a real response finds an undocumented field; request objects ignore
 * extra properties, as the gateway always has.
 */
export function object<S extends Shape>(shape: S, options: Common & { closed?: boolean } = {}): Schema<ObjectOf<S>> {
  const required = Object.keys(shape).filter((key) => !shape[key]!.optional);
  const properties = Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, schema.json]));
  const json = described(
    { type: 'object', properties, required, ...(options.closed ? { additionalProperties: false } : {}) },
    options.description,
  );
  return build(json, (value, name) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse('a JSON object', name, value);
    const record = value as Record<string, unknown>;
    if (options.closed) {
      const extra = Object.keys(record).find((key) => !Object.hasOwn(shape, key));
      if (extra !== undefined) refuse(`no property ${extra}`, name, value);
    }
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(shape)) {
      const parsed = schema.parse(record[key], name ? `${name}.${key}` : key);
      if (parsed !== undefined) out[key] = parsed;
    }
    return out as ObjectOf<S>;
  });
}

/** A schema the document lists once under `components.schemas` and points at with `$ref`. */
export interface Named<T> extends Schema<T> {
  readonly name: string;
  readonly target: Schema<T>;
}

export function named<T>(name: string, target: Schema<T>): Named<T> {
  return { ...target, json: { $ref: `#/components/schemas/${name}` }, name, target };
}
