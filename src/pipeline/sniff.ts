import { PipelineError } from '../lib/errors';
import { asciiBytes, startsWith } from './bytes';
import type { ImageFormat } from './types';
import { PNG_SIGNATURE } from './png/container';

const JPEG_SOI = [0xff, 0xd8, 0xff];
const RIFF = asciiBytes('RIFF');
const WEBP = asciiBytes('WEBP');
const GIF87A = asciiBytes('GIF87a');
const GIF89A = asciiBytes('GIF89a');

/**
 * Identifies the format from magic bytes only; the file name and the declared
 * content type are never trusted (a `.jpg` that is HTML must not get through).
 * @throws unsupported_media_type for anything but JPEG, PNG, WebP or GIF (SVG, HEIC/AVIF, TIFF, BMP, text, empty).
 */
export function sniffFormat(bytes: Uint8Array): ImageFormat {
  if (startsWith(bytes, JPEG_SOI)) return 'jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, RIFF) && startsWith(bytes, WEBP, 8)) return 'webp';
  if (startsWith(bytes, GIF87A) || startsWith(bytes, GIF89A)) return 'gif';
  throw new PipelineError('unsupported_media_type', 'Unsupported image format; expected JPEG, PNG, WebP or GIF');
}
