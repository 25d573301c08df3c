import { ByteReader, invalidImage } from '../bytes';
import { readExifOrientation, tiffFromJpegApp1 } from '../exif';
import type { ImageHeader, Orientation } from '../types';
import { APP1, isSof, parseFrame, scanComponentCount, segments, SOS } from './markers';

/** Progressive files have a handful of scans; thousands only burn CPU. */
export const MAX_JPEG_SCANS = 100;

/**
 * Header-only read of a JPEG: walks marker segments from SOI to the first
 * SOFn, taking orientation from the first EXIF APP1 on the way.
 * @throws invalid_image for a short or corrupt header, unsupported coding
 *   (lossless, hierarchical, arithmetic), 12-bit samples or zero dimensions (DNL).
 */
export function probeJpeg(bytes: Uint8Array): ImageHeader {
  let orientation: Orientation | undefined;
  for (const { marker, payload } of segments(new ByteReader(bytes))) {
    if (marker === SOS) break;
    if (marker === APP1 && orientation === undefined) {
      const tiff = tiffFromJpegApp1(payload);
      if (tiff !== undefined) orientation = readExifOrientation(tiff);
    }
    if (isSof(marker)) {
      const frame = parseFrame(marker, payload);
      return {
        format: 'jpeg',
        width: frame.width,
        height: frame.height,
        orientation: orientation ?? 1,
        frames: 1,
        hasAlpha: false,
        progressive: frame.progressive,
      };
    }
  }
  throw invalidImage('JPEG has no frame header');
}

/**
 * Walks the whole JPEG: every segment, every scan's entropy-coded data, up to
 * EOI, without decoding, so a file cut short or out of order is refused
 * before the decoder allocates its output. Bytes after EOI are ignored.
 * @throws invalid_image when EOI is missing, a segment runs past the end, the
 *   structure is out of order, or there are more than {@link MAX_JPEG_SCANS} scans.
 */
export function assertJpegComplete(bytes: Uint8Array): void {
  const reader = new ByteReader(bytes);
  let frameSeen = false;
  let scans = 0;
  for (const { marker, payload } of segments(reader)) {
    if (isSof(marker)) {
      if (frameSeen) throw invalidImage('JPEG has more than one frame header');
      parseFrame(marker, payload);
      frameSeen = true;
    } else if (marker === SOS) {
      if (!frameSeen) throw invalidImage('JPEG scan precedes the frame header');
      scanComponentCount(payload);
      scans++;
      if (scans > MAX_JPEG_SCANS) throw invalidImage('JPEG has too many scans');
      skipEntropyCodedData(reader);
    }
  }
  if (scans === 0) throw invalidImage('JPEG has no image data');
}

/**
 * Advances to the marker that ends a scan. Inside entropy-coded data `FF 00`
 * is a stuffed byte, `FF D0..D7` a restart marker and `FF FF` fill; any other
 * `FF xx` is the next marker.
 */
export function skipEntropyCodedData(reader: ByteReader): void {
  const bytes = reader.bytes;
  let pos = reader.pos;
  for (;;) {
    pos = bytes.indexOf(0xff, pos);
    if (pos < 0 || pos + 1 >= bytes.length) throw invalidImage('JPEG data is truncated');
    const next = bytes[pos + 1]!;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
      pos += 2;
    } else if (next === 0xff) {
      pos += 1;
    } else {
      reader.seek(pos);
      return;
    }
  }
}
