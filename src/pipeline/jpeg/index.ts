import type { ImageFormatSpec } from '../formats';
import { assertJpegComplete, probeJpeg } from './container';
import { decodeJpegToSize } from './decode-to-size';
import { jpegRemoved } from './metadata';

/** JPEG (JFIF/Exif; baseline, extended and progressive Huffman, 8-bit). */
export const jpegFormat: ImageFormatSpec<'jpeg'> = {
  name: 'jpeg',
  label: 'JPEG',
  magic: [[0xff, 0xd8, 0xff]],
  orientation: 'Exif APP1 segment before the frame header',
  probe: probeJpeg,
  assertComplete: assertJpegComplete,
  removed: jpegRemoved,
  decodeToSize: (bytes, header, maxEdge, codecs, colour) => decodeJpegToSize(bytes, header, maxEdge, codecs, colour),
};
