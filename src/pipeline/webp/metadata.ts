import { ByteReader } from '../bytes';
import { readExifContents, tiffFromExifChunk } from '../exif';
import type { RemovedItem } from '../removed';
import { chunkData, webpChunks } from './riff';

/**
 * What a WebP holds besides its pixels: EXIF (and inside it GPS, serials,
 * maker notes, a thumbnail), XMP and ICCP chunks, and bytes after the RIFF
 * size (which the structure walk ignores, as libwebp does). Never throws: a
 * surprise ends the read with what was found.
 */
export function webpRemoved(bytes: Uint8Array): RemovedItem[] {
  const found: RemovedItem[] = [];
  try {
    for (const chunk of webpChunks(bytes)) {
      if (chunk.fourcc === 'EXIF') {
        const tiff = tiffFromExifChunk(chunkData(bytes, chunk));
        found.push('exif', ...(tiff === undefined ? [] : readExifContents(tiff)));
      } else if (chunk.fourcc === 'XMP ') {
        found.push('xmp');
      } else if (chunk.fourcc === 'ICCP') {
        found.push('icc_profile');
      }
    }
    // A missing final padding byte is tolerated; anything past the RIFF size is extra.
    if (bytes.length > 8 + new ByteReader(bytes, 4).u32le()) found.push('trailing_data');
  } catch {
    // The structure walk accepted the file; keep what was found.
  }
  return found;
}
