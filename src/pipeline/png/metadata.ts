import { ByteReader } from '../bytes';
import { readExifContents, tiffFromExifChunk } from '../exif';
import type { RemovedItem } from '../removed';
import { PNG_SIGNATURE, readChunk } from './container';

const XMP_KEYWORD = 'XML:com.adobe.xmp';

/**
 * What a PNG holds besides its pixels: eXIf (and inside it GPS, serials, maker
 * notes, a thumbnail), iTXt `XML:com.adobe.xmp` (XMP), other tEXt/zTXt/iTXt
 * (text chunks), iCCP, and bytes after IEND. Walks chunks with the container's
 * reader; never throws: a surprise ends the read with what was found.
 */
export function pngRemoved(bytes: Uint8Array): RemovedItem[] {
  const found: RemovedItem[] = [];
  const reader = new ByteReader(bytes, PNG_SIGNATURE.length);
  try {
    for (;;) {
      const { type, data } = readChunk(reader, false);
      if (type === 'IEND') break;
      if (type === 'eXIf') {
        const tiff = tiffFromExifChunk(data);
        found.push('exif', ...(tiff === undefined ? [] : readExifContents(tiff)));
      } else if (type === 'iTXt') {
        found.push(keyword(data) === XMP_KEYWORD ? 'xmp' : 'text_chunks');
      } else if (type === 'tEXt' || type === 'zTXt') {
        found.push('text_chunks');
      } else if (type === 'iCCP') {
        found.push('icc_profile');
      }
    }
    if (reader.remaining > 0) found.push('trailing_data');
  } catch {
    // The structure walk accepted the file; keep what was found.
  }
  return found;
}

/** A text chunk's keyword: Latin-1 up to the first NUL (at most 79 bytes). */
function keyword(data: Uint8Array): string {
  const end = data.indexOf(0);
  return String.fromCharCode(...data.subarray(0, end < 0 ? Math.min(data.length, 80) : Math.min(end, 80)));
}
