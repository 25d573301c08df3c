import { invalidImage } from '../bytes';
import type { PngLayout } from './chunks';

/**
 * Writes `width` pixels of an unfiltered row as 8-bit RGBA into `out` and
 * returns it, or returns `row` itself when that already is 8-bit RGBA.
 */
export type RowConverter = (row: Uint8Array, width: number, out: Uint8Array) => Uint8Array;

/** PNG §7.2 / table 11.1: samples per pixel of each colour type. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Bits per complete pixel. */
export function bitsPerPixel(colorType: number, bitDepth: number): number {
  return (CHANNELS[colorType] ?? 0) * bitDepth;
}

/**
 * A converter from the file's pixel format to 8-bit RGBA. 16-bit samples are
 * rounded to the nearest 8-bit value (libpng's `png_set_scale_16`), not
 * truncated to their high byte; a tRNS colour is compared at the full bit
 * depth first.
 * @throws invalid_image when a palette image has no PLTE.
 */
export function rowConverter(layout: PngLayout): RowConverter {
  const { colorType, bitDepth } = layout.ihdr;
  switch (colorType) {
    case 0:
      return bitDepth === 16 ? grey16(transparentSample(layout, 2)) : greyLow(bitDepth, transparentSample(layout, 2));
    case 2:
      return bitDepth === 16 ? rgb16(transparentSample(layout, 6)) : rgb8(transparentSample(layout, 6));
    case 3:
      return indexed(bitDepth, paletteTable(layout));
    case 4:
      return bitDepth === 16 ? greyAlpha16 : greyAlpha8;
    default:
      return bitDepth === 16 ? rgba16 : rgba8;
  }
}

/**
 * PNG §11.3.2.1: the tRNS chunk of a greyscale (2 bytes) or truecolour
 * (6 bytes) image names one transparent colour. A chunk of another length is
 * ignored, as libpng does.
 */
function transparentSample(layout: PngLayout, length: number): Uint8Array | undefined {
  const trns = layout.transparency;
  return trns?.length === length ? trns : undefined;
}

/** 256 RGBA entries; indices past the palette are opaque black, as in the reference decoder. */
function paletteTable(layout: PngLayout): Uint8Array {
  const plte = layout.palette;
  if (plte === undefined) throw invalidImage('PNG palette is missing');
  const table = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) table[i * 4 + 3] = 255;
  const entries = Math.min(256, Math.floor(plte.length / 3));
  for (let i = 0; i < entries; i++) {
    table[i * 4] = plte[i * 3]!;
    table[i * 4 + 1] = plte[i * 3 + 1]!;
    table[i * 4 + 2] = plte[i * 3 + 2]!;
  }
  // PNG §11.3.2.1: tRNS holds alpha for the first entries; the rest stay opaque.
  const trns = layout.transparency ?? new Uint8Array(0);
  for (let i = 0; i < Math.min(entries, trns.length); i++) table[i * 4 + 3] = trns[i]!;
  return table;
}

function greyLow(bitDepth: number, trns: Uint8Array | undefined): RowConverter {
  const max = (1 << bitDepth) - 1;
  const scale = 255 / max;
  const key = trns === undefined ? -1 : (trns[0]! << 8) | trns[1]!;
  if (bitDepth === 8) {
    return (row, width, out) => {
      for (let x = 0, o = 0; x < width; x++, o += 4) {
        const v = row[x]!;
        out[o] = out[o + 1] = out[o + 2] = v;
        out[o + 3] = v === key ? 0 : 255;
      }
      return out;
    };
  }
  // PNG §7.2: sub-byte samples are packed from the most significant bit.
  const perByte = 8 / bitDepth;
  return (row, width, out) => {
    for (let x = 0, o = 0; x < width; x++, o += 4) {
      const shift = 8 - bitDepth * ((x % perByte) + 1);
      const v = (row[Math.floor(x / perByte)]! >> shift) & max;
      out[o] = out[o + 1] = out[o + 2] = v * scale;
      out[o + 3] = v === key ? 0 : 255;
    }
    return out;
  };
}

function grey16(trns: Uint8Array | undefined): RowConverter {
  const key = trns === undefined ? -1 : (trns[0]! << 8) | trns[1]!;
  return (row, width, out) => {
    for (let x = 0, i = 0, o = 0; x < width; x++, i += 2, o += 4) {
      const v = (row[i]! << 8) | row[i + 1]!;
      out[o] = out[o + 1] = out[o + 2] = scale16(v);
      out[o + 3] = v === key ? 0 : 255;
    }
    return out;
  };
}

function rgb8(trns: Uint8Array | undefined): RowConverter {
  const [r, g, b] = trns === undefined ? [-1, -1, -1] : [trns[1]!, trns[3]!, trns[5]!];
  // PNG §11.3.2.1: a tRNS sample above the bit depth's range can never match.
  const keyed = trns !== undefined && trns[0] === 0 && trns[2] === 0 && trns[4] === 0;
  return (row, width, out) => {
    for (let x = 0, i = 0, o = 0; x < width; x++, i += 3, o += 4) {
      const rv = row[i]!;
      const gv = row[i + 1]!;
      const bv = row[i + 2]!;
      out[o] = rv;
      out[o + 1] = gv;
      out[o + 2] = bv;
      out[o + 3] = keyed && rv === r && gv === g && bv === b ? 0 : 255;
    }
    return out;
  };
}

function rgb16(trns: Uint8Array | undefined): RowConverter {
  return (row, width, out) => {
    for (let x = 0, i = 0, o = 0; x < width; x++, i += 6, o += 4) {
      out[o] = scale16((row[i]! << 8) | row[i + 1]!);
      out[o + 1] = scale16((row[i + 2]! << 8) | row[i + 3]!);
      out[o + 2] = scale16((row[i + 4]! << 8) | row[i + 5]!);
      out[o + 3] = trns !== undefined && equalBytes(row, i, trns, 6) ? 0 : 255;
    }
    return out;
  };
}

/** A 16-bit sample rounded to 8 bits: round(v × 255 / 65535), exactly, in integers (libpng's formula). */
function scale16(v: number): number {
  return (v * 255 + 32895) >> 16;
}

function equalBytes(row: Uint8Array, at: number, key: Uint8Array, n: number): boolean {
  for (let k = 0; k < n; k++) if (row[at + k] !== key[k]) return false;
  return true;
}

function indexed(bitDepth: number, table: Uint8Array): RowConverter {
  const perByte = 8 / bitDepth;
  const mask = (1 << bitDepth) - 1;
  return (row, width, out) => {
    for (let x = 0, o = 0; x < width; x++, o += 4) {
      const index =
        bitDepth === 8 ? row[x]! : (row[Math.floor(x / perByte)]! >> (8 - bitDepth * ((x % perByte) + 1))) & mask;
      const t = index * 4;
      out[o] = table[t]!;
      out[o + 1] = table[t + 1]!;
      out[o + 2] = table[t + 2]!;
      out[o + 3] = table[t + 3]!;
    }
    return out;
  };
}

const greyAlpha8: RowConverter = (row, width, out) => {
  for (let x = 0, i = 0, o = 0; x < width; x++, i += 2, o += 4) {
    out[o] = out[o + 1] = out[o + 2] = row[i]!;
    out[o + 3] = row[i + 1]!;
  }
  return out;
};

const greyAlpha16: RowConverter = (row, width, out) => {
  for (let x = 0, i = 0, o = 0; x < width; x++, i += 4, o += 4) {
    out[o] = out[o + 1] = out[o + 2] = scale16((row[i]! << 8) | row[i + 1]!);
    out[o + 3] = scale16((row[i + 2]! << 8) | row[i + 3]!);
  }
  return out;
};

/** Already 8-bit RGBA: the row is passed on as it is, without a copy. */
const rgba8: RowConverter = (row, width) => row.subarray(0, width * 4);

const rgba16: RowConverter = (row, width, out) => {
  for (let x = 0, i = 0, o = 0; x < width; x++, i += 8, o += 4) {
    out[o] = scale16((row[i]! << 8) | row[i + 1]!);
    out[o + 1] = scale16((row[i + 2]! << 8) | row[i + 3]!);
    out[o + 2] = scale16((row[i + 4]! << 8) | row[i + 5]!);
    out[o + 3] = scale16((row[i + 6]! << 8) | row[i + 7]!);
  }
  return out;
};
