import { asciiBytes } from '../bytes';
import type { ImageFormatSpec } from '../formats';
import { assertWebpComplete, probeWebp } from './container';
import { decodeWebpToSize } from './decode-to-size';
import { webpRemoved } from './metadata';

/** WebP (lossy, lossless, extended with alpha; the first frame of an animation), decoded by libwebp. */
export const webpFormat: ImageFormatSpec<'webp'> = {
  name: 'webp',
  label: 'WebP',
  magic: [[...asciiBytes('RIFF'), null, null, null, null, ...asciiBytes('WEBP')]],
  orientation: 'EXIF chunk of an extended (VP8X) file',
  probe: probeWebp,
  assertComplete: assertWebpComplete,
  removed: webpRemoved,
  decodeToSize: decodeWebpToSize,
};
