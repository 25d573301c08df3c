import type { Codecs } from './codecs';
import type { ColourConversion } from './colour';
import { gifFormat } from './gif';
import { jpegFormat } from './jpeg';
import { pngFormat } from './png';
import type { RemovedItem } from './removed';
import type { ImageHeader, RgbaImage } from './types';
import { webpFormat } from './webp';

/**
 * A file signature: the bytes a file of the format starts with, `null` where
 * any byte may stand (RIFF's size field in WebP).
 */
export type MagicBytes = readonly (number | null)[];

/**
 * Everything the pipeline needs to know about one input format. Each format
 * lives in its own folder (`jpeg/`, `png/`, …) whose `index.ts` exports its
 * entry; {@link FORMATS} lists them. Adding a format is that folder plus one
 * line in {@link FORMATS}.
 */
export interface ImageFormatSpec<Name extends string = string> {
  /** Stored as `original_format` in D1 and returned in the image JSON. */
  name: Name;
  /** The name in messages, e.g. `JPEG`. */
  label: string;
  /** The file starts with one of these (checked in {@link FORMATS} order). */
  magic: readonly MagicBytes[];
  /** Where the EXIF orientation is read from (for the reader of this table; `probe` reads it). */
  orientation: string;
  /**
   * Reads the header only (size, frames, alpha, orientation); nothing is
   * allocated in proportion to the declared size.
   * @throws PipelineError `invalid_image`
   */
  probe(bytes: Uint8Array): ImageHeader;
  /**
   * Walks the whole structure to its end (bounded work), so a truncated or
   * corrupt file is refused before any decoder reads it.
   * @throws PipelineError `invalid_image`
   */
  assertComplete(bytes: Uint8Array): void;
  /**
   * What the file holds besides the pixels the stored image keeps (metadata
   * blocks, bytes after the end marker), in any order, possibly repeated;
   * extra frames are counted from the header instead. Called after
   * `assertComplete`; never throws (a malformed block is still reported).
   */
  removed(bytes: Uint8Array): RemovedItem[];
  /**
   * Decodes (the first frame) upright (EXIF orientation applied) to at most
   * `maxEdge` pixels on the longest side, converted to sRGB through `colour`
   * (sRGB assumed when absent) and resampled in linear light.
   * @throws PipelineError `invalid_image`, `dimensions_exceeded`
   */
  decodeToSize(
    bytes: Uint8Array,
    header: ImageHeader,
    maxEdge: number,
    codecs: Codecs,
    colour?: ColourConversion,
  ): Promise<RgbaImage> | RgbaImage;
}

/** The accepted input formats, in sniffing order. */
export const FORMATS = [jpegFormat, pngFormat, webpFormat, gifFormat] as const;

/** Input formats the gateway accepts, identified from magic bytes only. */
export type ImageFormat = (typeof FORMATS)[number]['name'];

/** The registry entry of `name`. */
export function formatSpec(name: ImageFormat): ImageFormatSpec<ImageFormat> {
  return FORMATS.find((format) => format.name === name)!;
}

/** The format whose magic bytes `bytes` starts with, if any. */
export function matchMagic(bytes: Uint8Array): ImageFormatSpec<ImageFormat> | undefined {
  return FORMATS.find((format) => format.magic.some((magic) => startsWithMagic(bytes, magic)));
}

function startsWithMagic(bytes: Uint8Array, magic: MagicBytes): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => b === null || bytes[i] === b);
}
