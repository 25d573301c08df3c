import type { ImageFormatSpec } from '../formats';
import { assertPngComplete, PNG_SIGNATURE, probePng } from './container';
import { decodePngToSize } from './decode-to-size';
import { pngRemoved } from './metadata';

/** PNG (every colour type and bit depth, Adam7; APNG as its default image). */
export const pngFormat: ImageFormatSpec<'png'> = {
  name: 'png',
  label: 'PNG',
  magic: [PNG_SIGNATURE],
  orientation: 'eXIf chunk before the first IDAT',
  probe: probePng,
  assertComplete: assertPngComplete,
  removed: pngRemoved,
  decodeToSize: (bytes, header, maxEdge, codecs, colour) => decodePngToSize(bytes, header, maxEdge, codecs, colour),
};
