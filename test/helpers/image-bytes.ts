// Hand-made container bytes for the structure parsers' tests: JPEG marker
// sequences, PNG chunks with real CRCs, RIFF/WebP chunks and TIFF (EXIF)
// blobs. Headers are exact; entropy-coded/compressed payloads are filler,
// since these files are parsed, never decoded.

export function bytes(...parts: (ArrayLike<number> | number)[]): Uint8Array {
  const flat: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') flat.push(part);
    else for (let i = 0; i < part.length; i++) flat.push(part[i]!);
  }
  return Uint8Array.from(flat);
}

export function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

export const u16be = (v: number) => [(v >> 8) & 0xff, v & 0xff];
export const u16le = (v: number) => [v & 0xff, (v >> 8) & 0xff];
export const u24le = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];
export const u32be = (v: number) => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
export const u32le = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];

export interface TiffOptions {
  /** TIFF field type of the Orientation entry (3 = SHORT). */
  type?: number;
  count?: number;
  /** Omit the Orientation entry. */
  omit?: boolean;
}

/** A TIFF blob with IFD0 holding Make (pointing at a string) then Orientation. */
export function makeTiff(orientation: number, order: 'II' | 'MM', options: TiffOptions = {}): Uint8Array {
  const le = order === 'II';
  const u16 = le ? u16le : u16be;
  const u32 = le ? u32le : u32be;
  const entries = options.omit ? 1 : 2;
  const stringOffset = 8 + 2 + entries * 12 + 4;
  const orientationValue = options.type === 4 ? u32(orientation) : [...u16(orientation), 0, 0];
  return bytes(
    ascii(order),
    u16(42),
    u32(8),
    u16(entries),
    u16(0x010f),
    u16(2),
    u32(6),
    u32(stringOffset),
    options.omit ? [] : [...u16(0x0112), ...u16(options.type ?? 3), ...u32(options.count ?? 1), ...orientationValue],
    u32(0),
    ascii('Maker\0'),
  );
}

export const EXIF_PREFIX = ascii('Exif\0\0');

export function jpegSegment(marker: number, payload: ArrayLike<number>): Uint8Array {
  return bytes(0xff, marker, u16be(payload.length + 2), payload);
}

export interface JpegSpec {
  width?: number;
  height?: number;
  /** SOFn marker byte. */
  sof?: number;
  precision?: number;
  components?: number;
  /** Segments placed before SOF (APPn etc.). */
  before?: Uint8Array[];
  scans?: number;
  /** Entropy-coded bytes of each scan. */
  entropy?: ArrayLike<number>;
  eoi?: boolean;
}

/** Stuffed bytes (FF 00), a restart marker (FF D3) and fill (FF FF D4) inside entropy-coded data. */
export const ENTROPY = [0x12, 0xff, 0x00, 0x34, 0xff, 0xd3, 0x56, 0xff, 0xff, 0xd4, 0x78, 0xff, 0x00];

export function sofPayload(width: number, height: number, precision = 8, components = 3): number[] {
  const out = [precision, ...u16be(height), ...u16be(width), components];
  for (let i = 0; i < components; i++) out.push(i + 1, i === 0 ? 0x22 : 0x11, i === 0 ? 0 : 1);
  return out;
}

export function sosPayload(components = 3): number[] {
  const out = [components];
  for (let i = 0; i < components; i++) out.push(i + 1, 0x00);
  out.push(0, 63, 0);
  return out;
}

export function makeJpeg(spec: JpegSpec = {}): Uint8Array {
  const components = spec.components ?? 3;
  const scans: Uint8Array[] = [];
  for (let i = 0; i < (spec.scans ?? 1); i++) {
    scans.push(bytes(jpegSegment(0xda, sosPayload(Math.min(components, 4))), spec.entropy ?? ENTROPY));
  }
  return bytes(
    0xff,
    0xd8,
    jpegSegment(0xe0, [...ascii('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...(spec.before ?? []),
    jpegSegment(0xdb, [0, ...new Array<number>(64).fill(1)]),
    jpegSegment(spec.sof ?? 0xc0, sofPayload(spec.width ?? 16, spec.height ?? 8, spec.precision, components)),
    jpegSegment(0xc4, [0x00, 1, ...new Array<number>(15).fill(0), 0x00]),
    ...scans,
    spec.eoi === false ? [] : [0xff, 0xd9],
  );
}

export function exifApp1(tiff: Uint8Array): Uint8Array {
  return jpegSegment(0xe1, bytes(EXIF_PREFIX, tiff));
}

const CRC_TABLE = (() => {
  const table: number[] = [];
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table.push(c >>> 0);
  }
  return table;
})();

function pngCrc(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function pngChunk(type: string, data: ArrayLike<number> = []): Uint8Array {
  const body = bytes(ascii(type), data);
  return bytes(u32be(data.length), body, u32be(pngCrc(body)));
}

export function ihdr(width: number, height: number, bitDepth = 8, colorType = 6, interlace = 0): Uint8Array {
  return pngChunk('IHDR', [...u32be(width), ...u32be(height), bitDepth, colorType, 0, 0, interlace]);
}

export interface PngSpec {
  width?: number;
  height?: number;
  bitDepth?: number;
  colorType?: number;
  /** Chunks between IHDR and the first IDAT. */
  before?: Uint8Array[];
  idatCount?: number;
  /** Chunks between the last IDAT and IEND. */
  after?: Uint8Array[];
  iend?: boolean;
}

export function makePng(spec: PngSpec = {}): Uint8Array {
  const colorType = spec.colorType ?? 6;
  const idats: Uint8Array[] = [];
  for (let i = 0; i < (spec.idatCount ?? 1); i++) idats.push(pngChunk('IDAT', [0x78, 0x9c, i, 0x01, 0x02]));
  return bytes(
    PNG_SIGNATURE,
    ihdr(spec.width ?? 4, spec.height ?? 3, spec.bitDepth ?? 8, colorType),
    ...(spec.before ?? (colorType === 3 ? [pngChunk('PLTE', [0, 0, 0, 255, 255, 255])] : [])),
    ...idats,
    ...(spec.after ?? []),
    spec.iend === false ? [] : pngChunk('IEND'),
  );
}

/** A RIFF chunk with its header and, for an odd payload, a padding byte. */
export function riffChunk(fourcc: string, payload: ArrayLike<number>): Uint8Array {
  return bytes(ascii(fourcc), u32le(payload.length), payload, payload.length % 2 ? [0] : []);
}

export function webpFile(...chunks: Uint8Array[]): Uint8Array {
  const body = bytes(ascii('WEBP'), ...chunks);
  return bytes(ascii('RIFF'), u32le(body.length), body);
}

export interface Vp8Options {
  keyFrame?: boolean;
  startCode?: number[];
  /** Declared first-partition size (the payload holds 10 filler bytes after the header). */
  partitionSize?: number;
}

export function vp8Payload(width: number, height: number, options: Vp8Options = {}): number[] {
  const partition = options.partitionSize ?? 6;
  const tag = (options.keyFrame === false ? 1 : 0) | (0 << 1) | (1 << 4) | (partition << 5);
  return [
    ...u24le(tag),
    ...(options.startCode ?? [0x9d, 0x01, 0x2a]),
    ...u16le(width),
    ...u16le(height),
    ...new Array<number>(10).fill(0x55),
  ];
}

export function vp8lPayload(width: number, height: number, alpha = false, version = 0): number[] {
  const bits = (width - 1) | ((height - 1) << 14) | ((alpha ? 1 : 0) << 28) | (version << 29);
  return [0x2f, ...u32le(bits >>> 0), 0x11, 0x22, 0x33];
}

export const VP8X_ALPHA = 0x10;
export const VP8X_ANIMATION = 0x02;
export const VP8X_EXIF = 0x08;

export function vp8xPayload(flags: number, width: number, height: number): number[] {
  return [flags, 0, 0, 0, ...u24le(width - 1), ...u24le(height - 1)];
}

/** ALPH payload: header byte (lossless compression) and filler. */
export function alphPayload(header = 0x01): number[] {
  return [header, 0xaa, 0xbb, 0xcc];
}

export const ANIM = riffChunk('ANIM', [0, 0, 0, 0, 0, 0]);

export function anmfPayload(x: number, y: number, width: number, height: number, ...frame: Uint8Array[]): Uint8Array {
  return bytes(u24le(x / 2), u24le(y / 2), u24le(width - 1), u24le(height - 1), u24le(100), 0, ...frame);
}

/** A valid animated WebP: 2 frames on a 20×10 canvas, the first (ALPH + VP8) at (4, 2). */
export function animatedWebp(): Uint8Array {
  return webpFile(
    riffChunk('VP8X', vp8xPayload(VP8X_ANIMATION | VP8X_ALPHA, 20, 10)),
    ANIM,
    riffChunk('ANMF', anmfPayload(4, 2, 6, 5, riffChunk('ALPH', alphPayload()), riffChunk('VP8 ', vp8Payload(6, 5)))),
    riffChunk('ANMF', anmfPayload(0, 0, 20, 10, riffChunk('VP8L', vp8lPayload(20, 10, true)))),
  );
}
