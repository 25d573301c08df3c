import type { Codecs } from './codecs';
import { decodeImage } from './decode';
import { encodeWebp, type EncodedImage } from './encode';
import { checkLimits, type InputLimits } from './limits';
import { probeImage } from './probe';
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
}

/**
 * The whole image pipeline, top to bottom: detect the format from magic
 * bytes, read the header, refuse what is over the limits, walk the file's
 * structure to its end, decode (straight to at most `maxOutputEdge` where the
 * format allows, upright for the EXIF orientation), encode the main image,
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
  stage('probe');
  const upright = await decodeImage(bytes, header, codecs, options.maxOutputEdge);
  stage('decode');
  const main = await encodeWebp(upright, options.mainQuality, codecs);
  stage('encode-main');
  const small = resizeToFit(upright, options.thumbMaxEdge);
  stage('resize');
  const thumb = await encodeWebp(small, options.thumbQuality, codecs);
  stage('encode-thumb');
  return { main, thumb, originalFormat: header.format };
}
