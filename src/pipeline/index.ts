/**
 * The image pipeline: pure (no hono, cloudflare:*, node:*, env), and it
 * imports nothing outside this folder. Its map:
 *
 * - index.ts        processImage, the step list below.
 * - formats.ts      the format registry: per format its magic bytes, header
 *                   probe, structure walk, decode-to-size and where
 *                   orientation comes from. sniff.ts, probe.ts, structure.ts
 *                   and decode.ts dispatch through it; adding a format is one folder and
 *                   one line in FORMATS.
 * - jpeg/ png/ gif/ webp/  one folder per format, one shape: index.ts (the
 *                   registry entry), container.ts (probe and structure walk),
 *                   decode-to-size.ts, and the decoder (decoder.ts and its
 *                   parts; WebP is decoded by libwebp through the Codecs port,
 *                   which scales while decoding and finds an animation's
 *                   first frame).
 *                   jpeg/markers.ts is the one JPEG grammar.
 * - rows.ts         the row contract: decoders hand rows to a RowSink; an
 *                   ImageSink also finishes into an image.
 * - colour/         the upload's colour description (ICC profile, PNG
 *                   sRGB/cHRM/gAMA) and the tables + 3×3 that take decoded
 *                   rows to linear light and output pixels to sRGB.
 * - resample/       rows.ts + filter-rows.ts (streaming box + Lanczos-3 in
 *                   linear light, orientation applied as pixels are placed),
 *                   blocks.ts (Adam7 block reducer), resize.ts (thumbnail:
 *                   the same streaming filter), taps.ts (Lanczos-3 weights).
 *                   thumbhash.ts: the thumbnail's ThumbHash.
 * - metadata.ts     what the upload held that the stored image does not
 *                   (the `removed` list; vocabulary in removed.ts, per-format
 *                   reads in <format>/metadata.ts).
 * - limits.ts       the memory budget and the header checks; orient.ts,
 *                   exif.ts, encode.ts, bytes.ts (bounds-checked reads),
 *                   crc32.ts, types.ts.
 * - errors.ts       PipelineError (codes from the public table, no HTTP).
 * - codecs.ts       the Codecs port; src/codecs/ holds the WASM adapters.
 */
import type { Codecs } from './codecs';
import { decideColour, type ColourReport } from './colour';
import { decodeImage } from './decode';
import { thumbHashOf } from './thumbhash';
import { encodeWebp, type EncodedImage } from './encode';
import { checkLimits, type InputLimits } from './limits';
import { removedMetadata } from './metadata';
import { probeImage } from './probe';
import type { RemovedItem } from './removed';
import { resizeToFit } from './resample/resize';
import { assertComplete } from './structure';
import type { ImageFormat } from './formats';

export interface ProcessOptions {
  /** Refused from the header, before decoding. */
  limits: InputLimits;
  /** The stored main image's longest edge is at most this; larger inputs are reduced while decoding. */
  maxOutputEdge: number;
  /** WebP quality of the stored main image, 1–100. */
  mainQuality: number;
  /** WebP quality of the thumbnail, 1–100. */
  thumbQuality: number;
  /** The thumbnail fits inside this many pixels square (aspect kept). */
  thumbMaxEdge: number;
  /** Called after each stage; the memory benchmark samples here. */
  onStage?: (stage: PipelineStage) => void;
}

/** The stages of {@link processImage}, in order (EXIF orientation is applied inside `decode`, as pixels are placed). */
export type PipelineStage = 'probe' | 'decode' | 'encode-main' | 'resize' | 'encode-thumb';

export interface ProcessedImage {
  /** The upright, metadata-free main image. */
  main: EncodedImage;
  /** The thumbnail, fitting inside `thumbMaxEdge` square. */
  thumb: EncodedImage;
  /** The format the upload was in (from its magic bytes). */
  originalFormat: ImageFormat;
  /** The colour space the upload's pixels were in and whether they were converted to sRGB. */
  colour: ColourReport;
  /** The thumbnail's ThumbHash, base64: a placeholder a page can paint before the image loads. */
  thumbhash: string;
  /** What the upload held that the stored image does not (metadata, extra frames, trailing bytes), in vocabulary order. */
  removed: RemovedItem[];
}

/**
 * The whole image pipeline, top to bottom: detect the format from magic
 * bytes, read the header, refuse what is over the limits, walk the file's
 * structure to its end, read its colour description (ICC profile, PNG
 * sRGB/cHRM/gAMA), decode (straight to at most `maxOutputEdge` where the
 * format allows, upright for the EXIF orientation, converted to sRGB and
 * resampled in linear light), encode the main image,
 * resize and encode the thumbnail.
 *
 * @throws PipelineError `unsupported_media_type` (not JPEG/PNG/WebP/GIF),
 *   `dimensions_exceeded` (over a limit), `invalid_image` (truncated, corrupt,
 *   or a header that lies).
 */
export async function processImage(
  bytes: Uint8Array,
  options: ProcessOptions,
  codecs: Codecs,
): Promise<ProcessedImage> {
  const stage = options.onStage ?? (() => {});
  const header = probeImage(bytes); // sniffs the format from magic bytes first
  checkLimits(header, options.limits);
  assertComplete(bytes, header.format);
  const removed = removedMetadata(bytes, header);
  const colour = await decideColour(bytes, header.format);
  stage('probe');
  const upright = await decodeImage(bytes, header, codecs, options.maxOutputEdge, colour.conversion);
  stage('decode');
  const main = await encodeWebp(upright, options.mainQuality, codecs);
  stage('encode-main');
  const small = resizeToFit(upright, options.thumbMaxEdge, codecs);
  stage('resize');
  const thumb = await encodeWebp(small, options.thumbQuality, codecs);
  stage('encode-thumb');
  return { main, thumb, originalFormat: header.format, colour: colour.report, thumbhash: thumbHashOf(small), removed };
}
