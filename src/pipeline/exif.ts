import { asciiBytes, ByteReader, startsWith } from './bytes';
import type { Orientation } from './types';
import type { RemovedItem } from './removed';

const EXIF_PREFIX = asciiBytes('Exif\0\0');
const TIFF_LITTLE_ENDIAN = asciiBytes('II*\0');
const TIFF_BIG_ENDIAN = asciiBytes('MM\0*');
const ORIENTATION_TAG = 0x0112;
const TIFF_TYPE_SHORT = 3;

/**
 * Reads the Orientation tag (0x0112) from IFD0 of a TIFF blob that starts at
 * its byte-order mark ("II*\0" or "MM\0*").
 * Never throws: malformed EXIF must not reject an otherwise good image, so
 * anything missing, unreadable or out of range reads as 1 (upright).
 */
export function readExifOrientation(tiff: Uint8Array): Orientation {
  try {
    return readOrientationTag(tiff);
  } catch {
    return 1;
  }
}

/**
 * The TIFF blob inside a JPEG APP1 payload, or `undefined` when the segment is
 * not EXIF (XMP also lives in APP1) or its TIFF header is missing.
 */
export function tiffFromJpegApp1(payload: Uint8Array): Uint8Array | undefined {
  if (!startsWith(payload, EXIF_PREFIX)) return undefined;
  return tiffOrUndefined(payload.subarray(EXIF_PREFIX.length));
}

/**
 * The TIFF blob inside a WebP `EXIF` or PNG `eXIf` chunk. The specs say the
 * chunk starts at the TIFF header, but some writers copy the JPEG
 * "Exif\0\0" prefix too, so both are accepted.
 */
export function tiffFromExifChunk(payload: Uint8Array): Uint8Array | undefined {
  const tiff = startsWith(payload, EXIF_PREFIX) ? payload.subarray(EXIF_PREFIX.length) : payload;
  return tiffOrUndefined(tiff);
}

/** Orientation from a WebP/PNG EXIF chunk payload; 1 when absent or unreadable. */
export function orientationFromExifChunk(payload: Uint8Array): Orientation {
  const tiff = tiffFromExifChunk(payload);
  return tiff === undefined ? 1 : readExifOrientation(tiff);
}

function tiffOrUndefined(bytes: Uint8Array): Uint8Array | undefined {
  return startsWith(bytes, TIFF_LITTLE_ENDIAN) || startsWith(bytes, TIFF_BIG_ENDIAN) ? bytes : undefined;
}

function readOrientationTag(tiff: Uint8Array): Orientation {
  const reader = new ByteReader(tiff);
  const littleEndian = startsWith(tiff, TIFF_LITTLE_ENDIAN);
  if (!littleEndian && !startsWith(tiff, TIFF_BIG_ENDIAN)) return 1;
  const u16 = () => (littleEndian ? reader.u16le() : reader.u16be());
  const u32 = () => (littleEndian ? reader.u32le() : reader.u32be());

  reader.skip(4);
  reader.seek(u32());
  const entryCount = u16();
  for (let i = 0; i < entryCount; i++) {
    const tag = u16();
    const type = u16();
    const count = u32();
    if (tag === ORIENTATION_TAG) {
      // Browsers only honour a single SHORT here; anything else is a writer bug.
      if (type !== TIFF_TYPE_SHORT || count !== 1) return 1;
      return toOrientation(u16());
    }
    reader.skip(4);
  }
  return 1;
}

function toOrientation(value: number): Orientation {
  return value >= 1 && value <= 8 ? (value as Orientation) : 1;
}

const GPS_IFD_TAG = 0x8825;
const EXIF_IFD_TAG = 0x8769;
const MAKER_NOTE_TAG = 0x927c;
const BODY_SERIAL_NUMBER_TAG = 0xa431;
const CAMERA_SERIAL_NUMBER_TAG = 0xc62f;
const JPEG_INTERCHANGE_FORMAT_TAG = 0x0201;

/** What {@link readExifContents} can find inside an EXIF block. */
export type ExifContent = Extract<RemovedItem, 'gps' | 'camera_serial' | 'maker_notes' | 'embedded_thumbnail'>;

/**
 * What a TIFF (EXIF) blob carries beyond the basics: a GPS IFD pointer in
 * IFD0 (`gps`), a MakerNote in the Exif IFD (`maker_notes`), a
 * BodySerialNumber there or a CameraSerialNumber in IFD0 (`camera_serial`),
 * a JPEGInterchangeFormat thumbnail in IFD1 (`embedded_thumbnail`).
 * Bounds-checked and never throws: each IFD is read on its own, so what was
 * read before a broken one is still reported.
 */
export function readExifContents(tiff: Uint8Array): ExifContent[] {
  const found: ExifContent[] = [];
  const littleEndian = startsWith(tiff, TIFF_LITTLE_ENDIAN);
  if (!littleEndian && !startsWith(tiff, TIFF_BIG_ENDIAN)) return found;
  const reader = new ByteReader(tiff);
  const u16 = () => (littleEndian ? reader.u16le() : reader.u16be());
  const u32 = () => (littleEndian ? reader.u32le() : reader.u32be());
  /** The entries of the IFD at `offset` (tag → value/offset field), and the next IFD's offset. */
  const readIfd = (offset: number): { tags: Map<number, number>; next: number } | undefined => {
    try {
      reader.seek(offset);
      const tags = new Map<number, number>();
      const count = u16();
      for (let i = 0; i < count; i++) {
        const tag = u16();
        reader.skip(6); // type, count
        tags.set(tag, u32());
      }
      return { tags, next: u32() };
    } catch {
      return undefined;
    }
  };

  let ifd0Offset: number;
  try {
    reader.seek(4);
    ifd0Offset = u32();
  } catch {
    return found;
  }
  const ifd0 = readIfd(ifd0Offset);
  if (ifd0 === undefined) return found;
  if (ifd0.tags.has(GPS_IFD_TAG)) found.push('gps');
  if (ifd0.tags.has(CAMERA_SERIAL_NUMBER_TAG)) found.push('camera_serial');
  const exifIfdOffset = ifd0.tags.get(EXIF_IFD_TAG);
  const exifIfd = exifIfdOffset === undefined ? undefined : readIfd(exifIfdOffset);
  if (exifIfd?.tags.has(MAKER_NOTE_TAG)) found.push('maker_notes');
  if (exifIfd?.tags.has(BODY_SERIAL_NUMBER_TAG)) found.push('camera_serial');
  const ifd1 = ifd0.next === 0 ? undefined : readIfd(ifd0.next);
  if (ifd1?.tags.has(JPEG_INTERCHANGE_FORMAT_TAG)) found.push('embedded_thumbnail');
  return found;
}
