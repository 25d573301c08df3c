/** A tone reproduction curve as an ICC profile stores it (ICC.1:2022 §10.6 curv, §10.18 para). */
export type Trc =
  /** `curv` with one entry: y = x^gamma. Zero entries (identity) is gamma 1. */
  | { kind: 'gamma'; gamma: number }
  /** `curv` with a table: entries 0..65535 spaced evenly over x in [0, 1], linearly interpolated. */
  | { kind: 'table'; table: Uint16Array }
  /** `para` function type 0..4 with its parameters g, a, b, c, d, e, f (as many as the type has). */
  | { kind: 'para'; type: 0 | 1 | 2 | 3 | 4; params: readonly number[] };

/** A CIE XYZ triple (PCS-relative, D50 for a profile's colorants). */
export type Xyz = readonly [number, number, number];

/** What the gateway needs from an ICC profile, read with every offset bounds-checked. */
export interface IccProfile {
  /** Data colour space from the header (`RGB `, `GRAY`, `CMYK`, …), trailing spaces removed. */
  colourSpace: string;
  /** Profile version major number (2 or 4). */
  version: number;
  /** The `desc` tag's text (ASCII `desc` or the first `mluc` record), printable characters only, at most 64. */
  description: string;
  /** rXYZ, gXYZ, bXYZ colorants (the matrix columns), when all three are present and readable. */
  colorants?: readonly [Xyz, Xyz, Xyz];
  /** rTRC, gTRC, bTRC (RGB) or the single grayTRC (GRAY), when present and readable. */
  trcs?: readonly Trc[];
  /** The media white point (`wtpt`); only absolute colorimetry uses it, as in lcms. */
  whitePoint?: Xyz;
  /** The chromatic adaptation matrix (`chad`), row-major. */
  chad?: readonly number[];
  /** The profile has an A2B0/A2B1 LUT (lcms would prefer it to the matrix for relative colorimetry). */
  hasLut: boolean;
}

/** The outcome of reading a profile: the profile, or why it was refused. */
export type IccResult = { ok: true; profile: IccProfile } | { ok: false; reason: string };

/** Larger embedded profiles are refused unread (real matrix/TRC profiles are a few KiB; big LUT profiles ~1 MiB). */
export const MAX_ICC_BYTES = 4 * 1024 * 1024;
/** Real profiles have a few dozen tags; more is hostile. */
const MAX_TAGS = 256;
/** A 16-bit curve needs no more than 65536 entries (lcms refuses more too). */
const MAX_CURVE_ENTRIES = 65536;
const HEADER_BYTES = 128;
const PARA_PARAMS = [1, 3, 4, 5, 7] as const;

class IccRefused extends Error {}

function refuse(reason: string): never {
  throw new IccRefused(reason);
}

/**
 * Reads an ICC profile (ICC.1 v2 or v4): header, tag table and the tags a
 * matrix/TRC or gray TRC profile uses. Never throws: a truncated, oversized or
 * hostile profile (a tag table or tag out of bounds, absurd counts, a bad
 * signature) comes back as `{ ok: false, reason }` so the caller can ignore it
 * and report that it did.
 */
export function parseIccProfile(bytes: Uint8Array): IccResult {
  try {
    return { ok: true, profile: readProfile(bytes) };
  } catch (error) {
    if (error instanceof IccRefused) return { ok: false, reason: error.message };
    throw error;
  }
}

function readProfile(bytes: Uint8Array): IccProfile {
  if (bytes.length > MAX_ICC_BYTES) refuse(`profile is larger than ${MAX_ICC_BYTES} bytes`);
  if (bytes.length < HEADER_BYTES + 4) refuse('profile is truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getUint32(0);
  if (declared > bytes.length) refuse('profile is truncated');
  if (declared < HEADER_BYTES + 4) refuse('profile size is invalid');
  if (signature(view, 36) !== 'acsp') refuse('profile signature is missing');
  const tags = readTagTable(view, declared);
  const tag = (sig: string) => tags.get(sig);
  const profile: IccProfile = {
    colourSpace: signature(view, 16).trimEnd(),
    version: bytes[8]!,
    description: readDescription(view, tag('desc')),
    hasLut: tags.has('A2B0') || tags.has('A2B1'),
  };
  const r = tag('rXYZ');
  const g = tag('gXYZ');
  const b = tag('bXYZ');
  if (r && g && b) profile.colorants = [readXyz(view, r), readXyz(view, g), readXyz(view, b)];
  const rTrc = tag('rTRC');
  const gTrc = tag('gTRC');
  const bTrc = tag('bTRC');
  const grayTrc = tag('kTRC');
  if (profile.colourSpace === 'GRAY' && grayTrc) profile.trcs = [readTrc(view, grayTrc)];
  else if (rTrc && gTrc && bTrc) profile.trcs = [readTrc(view, rTrc), readTrc(view, gTrc), readTrc(view, bTrc)];
  const wtpt = tag('wtpt');
  if (wtpt) profile.whitePoint = readXyz(view, wtpt);
  const chad = tag('chad');
  if (chad) profile.chad = readChad(view, chad);
  return profile;
}

interface TagSpan {
  offset: number;
  size: number;
}

function readTagTable(view: DataView, end: number): Map<string, TagSpan> {
  const count = view.getUint32(HEADER_BYTES);
  if (count > MAX_TAGS) refuse(`tag count ${count} is absurd`);
  if (HEADER_BYTES + 4 + count * 12 > end) refuse('tag table runs past the profile');
  const tags = new Map<string, TagSpan>();
  for (let i = 0; i < count; i++) {
    const at = HEADER_BYTES + 4 + i * 12;
    const offset = view.getUint32(at + 4);
    const size = view.getUint32(at + 8);
    if (offset < HEADER_BYTES || size < 8 || offset + size > end) refuse('a tag points outside the profile');
    const sig = signature(view, at);
    if (!tags.has(sig)) tags.set(sig, { offset, size });
  }
  return tags;
}

function signature(view: DataView, at: number): string {
  let text = '';
  for (let i = 0; i < 4; i++) text += String.fromCharCode(view.getUint8(at + i));
  return text;
}

function s15Fixed16(view: DataView, at: number): number {
  return view.getInt32(at) / 65536;
}

function expectType(view: DataView, span: TagSpan, type: string, minSize: number): void {
  if (signature(view, span.offset) !== type) refuse(`tag is not of type ${type.trim()}`);
  if (span.size < minSize) refuse(`${type.trim()} tag is truncated`);
}

function readXyz(view: DataView, span: TagSpan): Xyz {
  expectType(view, span, 'XYZ ', 20);
  const at = span.offset + 8;
  return [s15Fixed16(view, at), s15Fixed16(view, at + 4), s15Fixed16(view, at + 8)];
}

function readChad(view: DataView, span: TagSpan): number[] {
  expectType(view, span, 'sf32', 8 + 36);
  return Array.from({ length: 9 }, (_, i) => s15Fixed16(view, span.offset + 8 + i * 4));
}

function readTrc(view: DataView, span: TagSpan): Trc {
  const type = signature(view, span.offset);
  if (type === 'curv') {
    expectType(view, span, 'curv', 12);
    const count = view.getUint32(span.offset + 8);
    if (count > MAX_CURVE_ENTRIES) refuse(`curve has ${count} entries`);
    if (12 + count * 2 > span.size) refuse('curve runs past its tag');
    if (count === 0) return { kind: 'gamma', gamma: 1 };
    if (count === 1) return { kind: 'gamma', gamma: view.getUint16(span.offset + 12) / 256 };
    const table = new Uint16Array(count);
    for (let i = 0; i < count; i++) table[i] = view.getUint16(span.offset + 12 + i * 2);
    return { kind: 'table', table };
  }
  if (type === 'para') {
    expectType(view, span, 'para', 12);
    const fn = view.getUint16(span.offset + 8);
    if (fn > 4) refuse(`parametric curve type ${fn} is unknown`);
    const n = PARA_PARAMS[fn]!;
    if (12 + n * 4 > span.size) refuse('parametric curve is truncated');
    const params = Array.from({ length: n }, (_, i) => s15Fixed16(view, span.offset + 12 + i * 4));
    return { kind: 'para', type: fn as 0 | 1 | 2 | 3 | 4, params };
  }
  return refuse('a TRC tag is neither curv nor para');
}

function readDescription(view: DataView, span: TagSpan | undefined): string {
  if (span === undefined || span.size < 12) return '';
  const type = signature(view, span.offset);
  const end = span.offset + span.size;
  const codes: number[] = [];
  if (type === 'desc') {
    const count = view.getUint32(span.offset + 8);
    for (let i = 0; i < count && span.offset + 12 + i < end && codes.length < 64; i++) {
      codes.push(view.getUint8(span.offset + 12 + i));
    }
  } else if (type === 'mluc' && span.size >= 28) {
    const length = view.getUint32(span.offset + 20);
    const start = span.offset + view.getUint32(span.offset + 24);
    for (let i = 0; i + 1 < length && start + i + 2 <= end && codes.length < 64; i += 2) {
      codes.push(view.getUint16(start + i));
    }
  }
  return codes
    .filter((c) => c >= 0x20 && c !== 0x7f && c < 0xd800)
    .map((c) => String.fromCharCode(c))
    .join('')
    .trim();
}
