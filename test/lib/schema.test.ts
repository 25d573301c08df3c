import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/lib/errors';
import { array, choice, integer, named, nullable, object, optional, string, type Schema } from '../../src/lib/schema';

/** The `invalid_request` a refused value raises, or `null` when it is accepted. */
function refusal(schema: Schema<unknown>, value: unknown, name = 'x'): { message: string; details: unknown } | null {
  try {
    schema.parse(value, name);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('invalid_request');
    return { message: (error as ApiError).message, details: (error as ApiError).details };
  }
}

describe('schema kit: one definition gives the JSON Schema and the validation', () => {
  const cases: { name: string; schema: Schema<unknown>; json: object; accepts: unknown[]; refuses: unknown[] }[] = [
    {
      name: 'integer with bounds',
      schema: integer({ minimum: 1, maximum: 100 }),
      json: { type: 'integer', minimum: 1, maximum: 100 },
      accepts: [1, 100],
      refuses: [0, 101, 1.5, '5', null, undefined],
    },
    {
      name: 'integer from a list',
      schema: integer({ enum: [64, 128] }),
      json: { type: 'integer', enum: [64, 128] },
      accepts: [64, 128],
      refuses: [65, '64'],
    },
    {
      name: 'string with a pattern',
      schema: string({ pattern: /^[a-z]{2,3}$/ }),
      json: { type: 'string', pattern: '^[a-z]{2,3}$' },
      accepts: ['ab', 'abc'],
      refuses: ['a', 'ABC', 12, undefined],
    },
    {
      name: 'choice',
      schema: choice(['avatar', 'image']),
      json: { type: 'string', enum: ['avatar', 'image'] },
      accepts: ['avatar', 'image'],
      refuses: ['video', '', null],
    },
    {
      name: 'nullable array',
      schema: nullable(array(choice(['a']))),
      json: { anyOf: [{ type: 'array', items: { type: 'string', enum: ['a'] } }, { type: 'null' }] },
      accepts: [null, [], ['a', 'a']],
      refuses: [['b'], 'a', undefined],
    },
    {
      name: 'open object with an optional property',
      schema: object({ purpose: choice(['image']), max_bytes: optional(integer({ minimum: 1 })) }),
      json: {
        type: 'object',
        properties: { purpose: { type: 'string', enum: ['image'] }, max_bytes: { type: 'integer', minimum: 1 } },
        required: ['purpose'],
      },
      accepts: [{ purpose: 'image' }, { purpose: 'image', max_bytes: 5, extra: true }],
      refuses: [{}, { purpose: 'image', max_bytes: 0 }, [], null, 'image'],
    },
    {
      name: 'closed object',
      schema: object({ id: string() }, { closed: true }),
      json: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false },
      accepts: [{ id: 'a' }],
      refuses: [{ id: 'a', extra: 1 }, {}, { id: 'a', constructor: 1 }, { id: 'a', toString: 1 }],
    },
  ];

  for (const { name, schema, json, accepts, refuses } of cases) {
    it(name, () => {
      expect(schema.json).toEqual(json);
      for (const value of accepts) expect(refusal(schema, value), JSON.stringify(value)).toBeNull();
      for (const value of refuses) expect(refusal(schema, value), JSON.stringify(value)).not.toBeNull();
    });
  }

  it("words a refusal like sharp's, naming the field (nested with a dot), with the schema's details", () => {
    expect(refusal(integer({ minimum: 1, maximum: 100 }), 101, 'limit')).toEqual({
      message: 'Expected integer between 1 and 100 for limit but received 101',
      details: { field: 'limit' },
    });
    const body = object({ colour: object({ converted: integer({ enum: [1], errorDetails: { allowed: [1] } }) }) });
    expect(refusal(body, { colour: { converted: 2 } }, '')).toEqual({
      message: 'Expected one of 1 for colour.converted but received 2',
      details: { field: 'colour.converted', allowed: [1] },
    });
    expect(refusal(body, 'text', '')?.message).toBe('Expected a JSON object for the body but received text');
    expect(refusal(integer(), 'y'.repeat(500))!.message.length).toBeLessThan(120);
  });

  it('reads integers from text only when they are plain decimal digits', () => {
    const schema = integer();
    expect(schema.fromText('42')).toBe(42);
    expect(schema.fromText('042')).toBe('042');
    expect(schema.fromText('1e3')).toBe('1e3');
    expect(string().fromText('42')).toBe('42');
  });

  it('a named schema is a $ref in place and keeps its own definition and validation', () => {
    const image = named('Image', object({ id: string() }));
    expect(image.json).toEqual({ $ref: '#/components/schemas/Image' });
    expect(image.target.json).toMatchObject({ type: 'object' });
    expect(object({ image }).json).toMatchObject({ properties: { image: { $ref: '#/components/schemas/Image' } } });
    expect(refusal(image, { id: 1 })).not.toBeNull();
  });
});
