import { describe, expect, it } from 'vitest';
import { decodeGif } from '../../../src/pipeline/gif/decoder';
import type { RgbaImage } from '../../../src/pipeline/types';
import { encodeGif, lzwEncode, subBlocks, type GifEncodeFrame, type Rgb } from '../../helpers/gif-encode';
import { ascii, bytes, u16le } from '../../fixtures/bytes';
import { nonPipelineError, prefixes, seededRandom, thrownCode } from '../../helpers/pipeline-error';

const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];
const WHITE: Rgb = [255, 255, 255];
const PALETTE: Rgb[] = [WHITE, RED, GREEN, BLUE];
const LIMIT = { maxPixels: 1_000_000 };

/** The screen as rows of palette-free strings: 'R', 'G', 'B', 'W', or '.' for transparent. */
function render(image: RgbaImage): string[] {
  const names = new Map([
    ['255,0,0', 'R'],
    ['0,255,0', 'G'],
    ['0,0,255', 'B'],
    ['255,255,255', 'W'],
  ]);
  const rows: string[] = [];
  for (let y = 0; y < image.height; y++) {
    let row = '';
    for (let x = 0; x < image.width; x++) {
      const o = (y * image.width + x) * 4;
      const [r, g, b, a] = image.data.subarray(o, o + 4);
      row += a === 0 ? '.' : a === 255 ? (names.get(`${r},${g},${b}`) ?? '?') : '~';
    }
    rows.push(row);
  }
  return rows;
}

/** Palette indices from rows of 'W', 'R', 'G', 'B' (indices 0..3). */
function indicesOf(rows: string[]): number[] {
  return rows.flatMap((row) => Array.from(row, (c) => 'WRGB'.indexOf(c)));
}

function frameOf(rows: string[], extra: Partial<GifEncodeFrame> = {}): GifEncodeFrame {
  return { width: rows[0]!.length, height: rows.length, indices: indicesOf(rows), ...extra };
}

describe('decodeGif', () => {
  it('decodes the classic 10x10 sample from "What\'s in a GIF" (independent LZW bytes)', () => {
    // prettier-ignore
    const gif = bytes(
      ascii('GIF89a'), 0x0a, 0x00, 0x0a, 0x00, 0x91, 0x00, 0x00,
      0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00,
      0x21, 0xf9, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x2c, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x0a, 0x00, 0x00,
      0x02, 0x16, 0x8c, 0x2d, 0x99, 0x87, 0x2a, 0x1c, 0xdc, 0x33, 0xa0, 0x02, 0x75,
      0xec, 0x95, 0xfa, 0xa8, 0xde, 0x60, 0x8c, 0x04, 0x91, 0x4c, 0x01, 0x00,
      0x3b,
    );
    expect(render(decodeGif(gif, LIMIT))).toEqual([
      'RRRRRBBBBB',
      'RRRRRBBBBB',
      'RRRRRBBBBB',
      'RRRWWWWBBB',
      'RRRWWWWBBB',
      'BBBWWWWRRR',
      'BBBWWWWRRR',
      'BBBBBRRRRR',
      'BBBBBRRRRR',
      'BBBBBRRRRR',
    ]);
  });

  it('decodes colours from the global colour table', () => {
    const rows = ['RGBW', 'WBGR', 'RRRR'];
    const image = decodeGif(encodeGif([frameOf(rows)], { width: 4, height: 3, palette: PALETTE }), LIMIT);
    expect(image.width).toBe(4);
    expect(image.height).toBe(3);
    expect(image.data).toBeInstanceOf(Uint8ClampedArray);
    expect(render(image)).toEqual(rows);
  });

  it('uses a local colour table over the global one', () => {
    const swapped: Rgb[] = [BLUE, GREEN, RED, WHITE];
    const gif = encodeGif([frameOf(['WRGB'], { localPalette: swapped })], { width: 4, height: 1, palette: PALETTE });
    expect(render(decodeGif(gif, LIMIT))).toEqual(['BGRW']);
  });

  it('leaves the transparent index transparent', () => {
    const gif = encodeGif([frameOf(['RGB', 'GRG'], { transparentIndex: 2 })], {
      width: 3,
      height: 2,
      palette: PALETTE,
    });
    expect(render(decodeGif(gif, LIMIT))).toEqual(['R.B', '.R.']);
  });

  it('places an offset frame on a transparent screen', () => {
    const gif = encodeGif([frameOf(['RG', 'BW'], { left: 2, top: 1 })], { width: 5, height: 4, palette: PALETTE });
    expect(render(decodeGif(gif, LIMIT))).toEqual(['.....', '..RG.', '..BW.', '.....']);
  });

  it('clips a frame that extends past the screen', () => {
    const gif = encodeGif([frameOf(['RGB', 'GBR', 'BRG'], { left: 2, top: 1 })], {
      width: 4,
      height: 3,
      palette: PALETTE,
    });
    expect(render(decodeGif(gif, LIMIT))).toEqual(['....', '..RG', '..GB']);
  });

  it.each([1, 2, 3, 4, 5, 8, 9, 13, 17])('decodes an interlaced frame of height %i', (height) => {
    const rows = Array.from({ length: height }, (_, y) => 'RGBW'[y % 4]!.repeat(2) + 'RGBW'[(y * 3 + 1) % 4]!);
    const gif = encodeGif([frameOf(rows, { interlace: true })], { width: 3, height, palette: PALETTE });
    expect(render(decodeGif(gif, LIMIT))).toEqual(rows);
  });

  it('decodes an interlaced offset frame', () => {
    const rows = ['RR', 'GG', 'BB', 'WW', 'RG', 'GB', 'BW', 'WR', 'RB', 'GW'];
    const gif = encodeGif([frameOf(rows, { interlace: true, left: 1, top: 1 })], {
      width: 3,
      height: 12,
      palette: PALETTE,
    });
    expect(render(decodeGif(gif, LIMIT))).toEqual(['...', ...rows.map((r) => `.${r}`), '...']);
  });

  it('decodes only the first frame of an animation', () => {
    const gif = encodeGif([frameOf(['RR']), frameOf(['GG']), frameOf(['BB'])], {
      width: 2,
      height: 1,
      palette: PALETTE,
      loop: true,
    });
    expect(render(decodeGif(gif, LIMIT))).toEqual(['RR']);
  });

  it("does not apply a later frame's transparency to the first frame", () => {
    const gif = encodeGif([frameOf(['RG']), frameOf(['GG'], { transparentIndex: 1 })], {
      width: 2,
      height: 1,
      palette: PALETTE,
    });
    expect(render(decodeGif(gif, LIMIT))).toEqual(['RG']);
  });

  it.each([
    { name: '256 colours, table fills and clears', palette: 256, pixels: 300 * 200 },
    { name: '2 colours, long runs', palette: 2, pixels: 100_000 },
    { name: '16 colours', palette: 16, pixels: 5_000 },
  ])('round-trips random pixels: $name', ({ palette, pixels }) => {
    const random = seededRandom(palette);
    const colours: Rgb[] = Array.from({ length: palette }, (_, i) => [i, 255 - i, (i * 7) & 0xff]);
    const indices = Uint8Array.from({ length: pixels }, () => Math.floor(random() * random() * palette));
    const width = 250;
    const height = pixels / width;
    const image = decodeGif(encodeGif([{ width, height, indices }], { width, height, palette: colours }), {
      maxPixels: pixels,
    });
    const decoded = Uint8Array.from({ length: pixels }, (_, i) => image.data[i * 4]!);
    expect(decoded).toEqual(indices);
  });

  it('decodes a stream that keeps 12-bit codes when the table is full (deferred clear)', () => {
    const random = seededRandom(7);
    const indices = Uint8Array.from({ length: 40_000 }, () => Math.floor(random() * 256));
    const colours: Rgb[] = Array.from({ length: 256 }, (_, i) => [i, 0, 0]);
    const gif = encodeGif([{ width: 200, height: 200, indices }], {
      width: 200,
      height: 200,
      palette: colours,
      deferClear: true,
    });
    const image = decodeGif(gif, LIMIT);
    expect(Uint8Array.from({ length: 40_000 }, (_, i) => image.data[i * 4]!)).toEqual(indices);
  });

  describe('broken image data leaves the rest transparent', () => {
    const header = bytes(ascii('GIF89a'), u16le(4), u16le(1), 0x81, 0, 0, ...PALETTE.flat());
    const image = (lzw: Uint8Array) =>
      bytes(header, 0x2c, u16le(0), u16le(0), u16le(4), u16le(1), 0, 2, subBlocks(lzw), 0x3b);
    // With minimum code size 2: clear = 4, end = 5, first free code 6; 3-bit codes.
    const codes = (...values: number[]) => {
      let acc = 0;
      let bits = 0;
      const out: number[] = [];
      for (const v of values) {
        acc |= v << bits;
        bits += 3;
        while (bits >= 8) {
          out.push(acc & 0xff);
          acc >>= 8;
          bits -= 8;
        }
      }
      if (bits > 0) out.push(acc & 0xff);
      return Uint8Array.from(out);
    };

    it.each([
      { name: 'end code after two pixels', lzw: codes(4, 1, 2, 5), rows: ['RG..'] },
      { name: 'data running out mid-code', lzw: codes(4, 1, 2).subarray(0, 1), rows: ['R...'] },
      { name: 'a code beyond the table', lzw: codes(4, 1, 7, 2), rows: ['R...'] },
      { name: 'a table code right after clear', lzw: codes(4, 6, 1, 2), rows: ['....'] },
      { name: 'no data at all', lzw: bytes(), rows: ['....'] },
      { name: 'more data than pixels', lzw: lzwEncode([1, 2, 3, 0, 1, 2, 3, 0], 2), rows: ['RGBW'] },
      { name: 'indices beyond a 4-colour table', lzw: codes(4, 1, 2, 3, 5), rows: ['RGB.'] },
    ])('$name', ({ lzw, rows }) => {
      expect(render(decodeGif(image(lzw), LIMIT))).toEqual(rows);
    });

    it('an index outside the colour table stays transparent', () => {
      const gif = bytes(
        header.subarray(0, 10),
        0x80,
        0,
        0,
        ...RED,
        ...GREEN,
        0x2c,
        u16le(0),
        u16le(0),
        u16le(4),
        u16le(1),
        0,
        2,
        subBlocks(lzwEncode([0, 1, 2, 3], 2)),
        0x3b,
      );
      expect(render(decodeGif(gif, LIMIT))).toEqual(['RG..']);
    });
  });

  it.each([
    { name: 'screen', gif: encodeGif([frameOf(['R'])], { width: 1001, height: 1000, palette: PALETTE }) },
    {
      name: 'first frame',
      gif: bytes(
        ascii('GIF89a'),
        u16le(1),
        u16le(1),
        0x81,
        0,
        0,
        ...PALETTE.flat(),
        0x2c,
        u16le(0),
        u16le(0),
        u16le(65535),
        u16le(65535),
        0,
        2,
        0,
        0x3b,
      ),
    },
  ])('throws dimensions_exceeded when the $name is over maxPixels', ({ gif }) => {
    expect(thrownCode(() => decodeGif(gif, LIMIT))).toBe('dimensions_exceeded');
  });

  it.each([
    { name: 'no colour table', gif: encodeGif([frameOf(['R'])], { width: 1, height: 1 }) },
    { name: 'no image', gif: bytes(ascii('GIF89a'), u16le(1), u16le(1), 0, 0, 0, 0x3b) },
    { name: 'not a GIF', gif: bytes(ascii('GIF89b'), u16le(1), u16le(1), 0, 0, 0, 0x3b) },
  ])('throws invalid_image for $name', ({ gif }) => {
    expect(thrownCode(() => decodeGif(gif, LIMIT))).toBe('invalid_image');
  });

  it('never throws anything but a PipelineError on a truncated file', () => {
    const rows = ['RGBW', 'WBGR', 'RRGG', 'BBWW'];
    const gif = encodeGif([frameOf(rows, { transparentIndex: 0, interlace: true }), frameOf(rows)], {
      width: 5,
      height: 5,
      palette: PALETTE,
      loop: true,
    });
    for (const prefix of prefixes(gif)) {
      expect(
        nonPipelineError(() => decodeGif(prefix, LIMIT)),
        `length ${prefix.length}`,
      ).toBeUndefined();
    }
  });

  it('never throws anything but a PipelineError on corrupted bytes', () => {
    const random = seededRandom(42);
    const rows = ['RGBW', 'WBGR', 'RRGG', 'BBWW'];
    const gif = encodeGif([frameOf(rows, { transparentIndex: 0 }), frameOf(rows, { left: 1 })], {
      width: 5,
      height: 5,
      palette: PALETTE,
    });
    for (let i = 0; i < 2000; i++) {
      const mutated = gif.slice();
      for (let k = 0; k < 3; k++) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      expect(
        nonPipelineError(() => decodeGif(mutated, { maxPixels: 70_000 })),
        `case ${i}`,
      ).toBeUndefined();
    }
  });
});
