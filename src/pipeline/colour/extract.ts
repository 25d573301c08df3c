import type { ImageFormat } from '../formats';
import { MAX_ICC_BYTES } from './icc';

/** What a file says about the meaning of its pixels, before any of it is interpreted. */
export interface ColourTags {
  /** The colour model of the decoded pixels. */
  channels: 'GRAY' | 'RGB' | 'CMYK';
  /** The embedded ICC profile, reassembled (JPEG) or inflated (PNG); a string says why it could not be had. */
  icc?: Uint8Array | string;
  /** PNG `sRGB` chunk. */
  srgb?: boolean;
  /** PNG `cHRM`: white x, y then red, green, blue x, y. */
  chromaticities?: number[];
  /** PNG `gAMA`: the encoding exponent (0.45455 for a 2.2 display gamma). */
  gamma?: number;
}

/**
 * Finds the colour description a file carries: JPEG APP2 `ICC_PROFILE`
 * (multi-segment, reassembled in sequence order), PNG `iCCP` (inflated with
 * the runtime's `DecompressionStream`), `sRGB`, `cHRM` and `gAMA`, WebP
 * `ICCP`. The structure walk has already accepted the file; this read is
 * bounds-checked anyway and never throws: a broken profile comes back as a
 * reason string.
 */
export async function readColourTags(bytes: Uint8Array, format: ImageFormat): Promise<ColourTags> {
  switch (format) {
    case 'jpeg':
      return readJpegTags(bytes);
    case 'png':
      return readPngTags(bytes);
    case 'webp':
      return readWebpTags(bytes);
    case 'gif':
      return { channels: 'RGB' };
  }
}

const ICC_MARKER = [...'ICC_PROFILE'].map((c) => c.charCodeAt(0)).concat(0);

function readJpegTags(bytes: Uint8Array): ColourTags {
  const parts = new Map<number, Uint8Array>();
  let declaredCount = 0;
  let broken: string | undefined;
  let channels: ColourTags['channels'] = 'RGB';
  let pos = 2;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) break;
    const marker = bytes[pos + 1]!;
    if (marker === 0xff) {
      pos++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break;
    const length = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    const start = pos + 4;
    const end = pos + 2 + length;
    if (length < 2 || end > bytes.length) break;
    if (marker === 0xe2 && end - start > 14 && ICC_MARKER.every((c, i) => bytes[start + i] === c)) {
      const seq = bytes[start + 12]!;
      const count = bytes[start + 13]!;
      if (seq === 0 || count === 0 || seq > count || parts.has(seq)) broken = 'ICC_PROFILE segments are inconsistent';
      else if (declaredCount !== 0 && count !== declaredCount) broken = 'ICC_PROFILE segment counts disagree';
      declaredCount = count;
      parts.set(seq, bytes.subarray(start + 14, end));
    }
    if (isSof(marker) && start + 5 < end) {
      const components = bytes[start + 5];
      channels = components === 1 ? 'GRAY' : components === 4 ? 'CMYK' : 'RGB';
    }
    pos = end;
  }
  if (parts.size === 0) return { channels };
  if (broken) return { channels, icc: broken };
  if (parts.size !== declaredCount) return { channels, icc: 'ICC_PROFILE segments are missing' };
  let total = 0;
  for (const part of parts.values()) total += part.length;
  if (total > MAX_ICC_BYTES) return { channels, icc: `profile is larger than ${MAX_ICC_BYTES} bytes` };
  const icc = new Uint8Array(total);
  for (let seq = 1, at = 0; seq <= declaredCount; seq++) {
    const part = parts.get(seq)!;
    icc.set(part, at);
    at += part.length;
  }
  return { channels, icc };
}

function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function u32be(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

async function readPngTags(bytes: Uint8Array): Promise<ColourTags> {
  const tags: ColourTags = { channels: 'RGB' };
  let compressed: Uint8Array | undefined;
  let pos = 8;
  while (pos + 12 <= bytes.length) {
    const length = u32be(bytes, pos);
    const type = fourcc(bytes, pos + 4);
    const data = pos + 8;
    if (data + length + 4 > bytes.length || type === 'IDAT' || type === 'IEND') break;
    const chunk = bytes.subarray(data, data + length);
    if (type === 'IHDR' && length >= 13) tags.channels = chunk[9] === 0 || chunk[9] === 4 ? 'GRAY' : 'RGB';
    else if (type === 'sRGB') tags.srgb = true;
    else if (type === 'gAMA' && length === 4) tags.gamma = u32be(chunk, 0) / 100000;
    else if (type === 'cHRM' && length === 32) {
      tags.chromaticities = Array.from({ length: 8 }, (_, i) => u32be(chunk, i * 4) / 100000);
    } else if (type === 'iCCP' && compressed === undefined) {
      const nul = chunk.indexOf(0);
      compressed = nul >= 1 && nul <= 79 && chunk[nul + 1] === 0 ? chunk.subarray(nul + 2) : new Uint8Array(0);
    }
    pos = data + length + 4;
  }
  if (compressed !== undefined) tags.icc = await inflateProfile(compressed);
  return tags;
}

/** Inflates a zlib stream, giving up past {@link MAX_ICC_BYTES} (an iCCP bomb stops there). */
async function inflateProfile(compressed: Uint8Array): Promise<Uint8Array | string> {
  if (compressed.length === 0) return 'iCCP chunk is malformed';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const stream = new Blob([compressed.slice()]).stream().pipeThrough(new DecompressionStream('deflate'));
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_ICC_BYTES) {
        await reader.cancel();
        return `profile is larger than ${MAX_ICC_BYTES} bytes`;
      }
      chunks.push(value);
    }
  } catch {
    return 'iCCP data does not inflate';
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function readWebpTags(bytes: Uint8Array): ColourTags {
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const type = fourcc(bytes, pos);
    const size = (bytes[pos + 4]! | (bytes[pos + 5]! << 8) | (bytes[pos + 6]! << 16) | (bytes[pos + 7]! << 24)) >>> 0;
    const end = pos + 8 + size;
    if (end > bytes.length) break;
    if (type === 'ICCP') {
      return { channels: 'RGB', icc: size > MAX_ICC_BYTES ? 'profile is too large' : bytes.subarray(pos + 8, end) };
    }
    pos = end + (size & 1);
  }
  return { channels: 'RGB' };
}
