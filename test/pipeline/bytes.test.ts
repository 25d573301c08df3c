import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../src/pipeline/bytes';
import { crc32 } from '../../src/pipeline/crc32';
import { ascii, bytes } from '../fixtures/bytes';
import { thrownCode } from '../helpers/pipeline-error';

describe('ByteReader', () => {
  it('reads both byte orders, with 32-bit values unsigned', () => {
    const reader = new ByteReader(bytes(0xff, 0xfe, 0xfd, 0xfc, 0x01, 0x02, 0x03));
    expect(reader.u32be()).toBe(0xfffefdfc);
    reader.seek(0);
    expect(reader.u32le()).toBe(0xfcfdfeff);
    expect(reader.u16be()).toBe(0x0102);
    reader.seek(4);
    expect(reader.u24le()).toBe(0x030201);
    expect(reader.remaining).toBe(0);
  });

  it.each([
    { name: 'u8 past the end', read: (r: ByteReader) => r.u8() + r.u8() },
    { name: 'u16be across the end', read: (r: ByteReader) => r.u16be() },
    { name: 'u32le across the end', read: (r: ByteReader) => r.u32le() },
    { name: 'take past the end', read: (r: ByteReader) => r.take(2) },
    { name: 'take a negative length', read: (r: ByteReader) => r.take(-1) },
    { name: 'skip past the end', read: (r: ByteReader) => r.skip(5) },
    { name: 'seek past the end', read: (r: ByteReader) => r.seek(100) },
  ])('throws invalid_image, never RangeError: $name', ({ read }) => {
    const reader = new ByteReader(bytes(1, 2, 3), 2);
    expect(thrownCode(() => read(reader))).toBe('invalid_image');
  });
});

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(bytes(ascii('123456789')))).toBe(0xcbf43926);
    expect(crc32(bytes())).toBe(0);
  });
});
