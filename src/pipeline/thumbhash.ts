import { rgbaToThumbHash } from 'thumbhash';
import { resizeToFit } from './resample/resize';
import type { RgbaImage } from './types';

/** ThumbHash encodes images of at most this many pixels on a side (Evan Wallace's reference implementation). */
const THUMBHASH_MAX_EDGE = 100;

/**
 * The ThumbHash (https://evanw.github.io/thumbhash/) of the thumbnail, as
 * base64: about 25 bytes from which a page paints a blurred placeholder
 * (colours, rough layout, alpha, aspect ratio) before the image loads. The
 * thumbnail is first reduced in linear light to fit 100×100.
 */
export function thumbHashOf(thumb: RgbaImage): string {
  const small = resizeToFit(thumb, THUMBHASH_MAX_EDGE);
  const hash = rgbaToThumbHash(small.width, small.height, small.data);
  let binary = '';
  for (const byte of hash) binary += String.fromCharCode(byte);
  return btoa(binary);
}
