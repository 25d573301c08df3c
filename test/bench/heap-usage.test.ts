import { describe, expect, it } from 'vitest';
import { medianOf, parseHeapUsageReply, peakOf, samplesBetween, type HeapSample } from '../../bench/heap-usage';

// The workerd memory benchmark (bench:memory --workerd) reads these replies from the inspector.
describe('parseHeapUsageReply', () => {
  const reply = (id: number, result: object) => JSON.stringify({ id, result });

  it.each([
    [
      'the reply to the request, as workerd sends it',
      reply(7, { usedSize: 2173096, totalSize: 3620864, embedderHeapUsedSize: 515872, backingStorageSize: 302618 }),
      { used: 2173096, backing: 302618 },
    ],
    [
      'a reply without backingStorageSize (older V8)',
      reply(7, { usedSize: 100, totalSize: 200 }),
      { used: 100, backing: 0 },
    ],
    ['the reply to another request', reply(8, { usedSize: 1, totalSize: 1 }), undefined],
    ['the proxy answering its own request', JSON.stringify({ id: 100000001, result: {} }), undefined],
    [
      'an event',
      JSON.stringify({ method: 'Runtime.executionContextCreated', params: { context: { id: 1 } } }),
      undefined,
    ],
  ])('%s', (_, data, expected) => {
    expect(parseHeapUsageReply(data, 7)).toEqual(expected);
  });

  it('throws on an error reply or a reply without the figures', () => {
    expect(() => parseHeapUsageReply(JSON.stringify({ id: 7, error: { message: 'nope' } }), 7)).toThrow(/nope/);
    expect(() => parseHeapUsageReply(reply(7, {}), 7)).toThrow(/unexpected reply/);
  });
});

describe('figures from samples', () => {
  const samples: HeapSample[] = [
    { t: 0, used: 5, backing: 1 },
    { t: 50, used: 10, backing: 30 },
    { t: 100, used: 8, backing: 2 },
    { t: 150, used: 4, backing: 0 },
  ];

  it('counts heap plus backing stores, within a window', () => {
    expect(peakOf(samples)).toBe(40);
    expect(peakOf(samplesBetween(samples, 100, 150))).toBe(10);
    expect(medianOf(samplesBetween(samples, 0, 100))).toBe(10);
    expect(medianOf(samples)).toBe(8);
    expect(peakOf([])).toBeNaN();
    expect(medianOf([])).toBeNaN();
  });
});
