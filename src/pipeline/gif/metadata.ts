import { asciiBytes, startsWith } from '../bytes';
import type { RemovedItem } from '../removed';
import { readGif } from './container';

const COMMENT_LABEL = 0xfe;
const APPLICATION_LABEL = 0xff;
const XMP_APPLICATION = asciiBytes('XMP DataXMP');

/**
 * What a GIF holds besides its first frame's pixels: comment extensions, an
 * XMP application extension, and bytes after the trailer (extra frames are
 * counted by the header probe). Walks the blocks with the container's walk;
 * never throws: a surprise ends the read with what was found.
 */
export function gifRemoved(bytes: Uint8Array): RemovedItem[] {
  const found: RemovedItem[] = [];
  try {
    const { frames } = readGif(bytes, {
      extension(label, firstSubBlock) {
        if (label === COMMENT_LABEL) found.push('comment');
        if (label === APPLICATION_LABEL && startsWith(firstSubBlock, XMP_APPLICATION)) found.push('xmp');
      },
      trailer(end) {
        if (end < bytes.length) found.push('trailing_data');
      },
    });
    // Walked for the visitor's sake; the frames themselves are not needed here.
    for (let next = frames.next(); !next.done; next = frames.next());
  } catch {
    // The structure walk accepted the file; keep what was found.
  }
  return found;
}
