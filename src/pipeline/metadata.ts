import { formatSpec } from './formats';
import { inVocabularyOrder, type RemovedItem } from './removed';
import type { ImageHeader } from './types';

/**
 * What the upload held that the stored image (the first frame's pixels, as a
 * metadata-free WebP) does not, in vocabulary order (removed.ts): the
 * format's metadata blocks and trailing bytes (the `removed` read in the
 * registry, formats.ts) and `extra_frames` when the header counts more than
 * one frame. Call after the structure walk has accepted the file. Never throws.
 */
export function removedMetadata(bytes: Uint8Array, header: ImageHeader): RemovedItem[] {
  const found = formatSpec(header.format).removed(bytes);
  if (header.frames > 1) found.push('extra_frames');
  return inVocabularyOrder(found);
}
