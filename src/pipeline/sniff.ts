import { PipelineError } from './errors';
import { FORMATS, matchMagic, type ImageFormat } from './formats';

const EXPECTED = FORMATS.map((format) => format.label)
  .join(', ')
  .replace(/, ([^,]*)$/, ' or $1');

/**
 * Identifies the format from magic bytes only (each format's `magic` in the
 * registry, formats.ts); the file name and the declared content type are never
 * trusted (a `.jpg` that is HTML must not get through).
 * @throws unsupported_media_type for anything but JPEG, PNG, WebP or GIF (SVG, HEIC/AVIF, TIFF, BMP, text, empty).
 */
export function sniffFormat(bytes: Uint8Array): ImageFormat {
  const format = matchMagic(bytes);
  if (format === undefined)
    throw new PipelineError('unsupported_media_type', `Unsupported image format; expected ${EXPECTED}`);
  return format.name;
}
