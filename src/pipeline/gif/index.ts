import { asciiBytes } from '../bytes';
import type { ImageFormatSpec } from '../formats';
import { assertGifComplete, probeGif } from './container';
import { decodeGifToSize } from './decode-to-size';
import { gifRemoved } from './metadata';

/** GIF87a/GIF89a (the first frame of an animation). */
export const gifFormat: ImageFormatSpec<'gif'> = {
  name: 'gif',
  label: 'GIF',
  magic: [asciiBytes('GIF87a'), asciiBytes('GIF89a')],
  orientation: 'none: GIF carries no EXIF, so always 1',
  probe: probeGif,
  assertComplete: assertGifComplete,
  removed: gifRemoved,
  decodeToSize: (bytes, header, maxEdge, codecs, colour) => decodeGifToSize(bytes, header, maxEdge, codecs, colour),
};
