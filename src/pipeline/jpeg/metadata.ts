import { asciiBytes, ByteReader, startsWith } from '../bytes';
import { readExifContents, tiffFromJpegApp1 } from '../exif';
import type { RemovedItem } from '../removed';
import { skipEntropyCodedData } from './container';
import { APP1, segments, SOS } from './markers';

const APP2 = 0xe2;
const APP13 = 0xed;
const COM = 0xfe;
const EXIF = asciiBytes('Exif\0');
const XMP = asciiBytes('http://ns.adobe.com/xap/1.0/\0');
const XMP_EXTENSION = asciiBytes('http://ns.adobe.com/xmp/extension/\0');
const ICC_PROFILE = asciiBytes('ICC_PROFILE\0');
const PHOTOSHOP = asciiBytes('Photoshop 3.0\0');
const RESOURCE_SIGNATURE = asciiBytes('8BIM');
const IPTC_RESOURCE_ID = 0x0404;

/**
 * What a JPEG holds besides its pixels: APP1 Exif (and inside it GPS, serials,
 * maker notes, an IFD1 thumbnail), APP1 XMP, APP13 Photoshop IPTC, APP2
 * ICC_PROFILE, COM, and bytes after EOI. Reuses the one marker grammar
 * (markers.ts) and the structure walk's scan skipper; the walk has already
 * accepted the file, but this read never throws: a malformed block is still
 * reported as present, and a surprise ends the read with what was found.
 */
export function jpegRemoved(bytes: Uint8Array): RemovedItem[] {
  const found: RemovedItem[] = [];
  const reader = new ByteReader(bytes);
  try {
    for (const { marker, payload } of segments(reader)) {
      if (marker === SOS) skipEntropyCodedData(reader);
      else if (marker === APP1) found.push(...app1Contents(payload));
      else if (marker === APP2 && startsWith(payload, ICC_PROFILE)) found.push('icc_profile');
      else if (marker === APP13 && startsWith(payload, PHOTOSHOP) && holdsIptc(payload)) found.push('iptc');
      else if (marker === COM) found.push('comment');
    }
    if (reader.remaining > 0) found.push('trailing_data');
  } catch {
    // The structure walk accepted the file; keep what was found.
  }
  return found;
}

function app1Contents(payload: Uint8Array): RemovedItem[] {
  if (startsWith(payload, EXIF)) {
    const tiff = tiffFromJpegApp1(payload);
    return ['exif', ...(tiff === undefined ? [] : readExifContents(tiff))];
  }
  return startsWith(payload, XMP) || startsWith(payload, XMP_EXTENSION) ? ['xmp'] : [];
}

/**
 * Whether a Photoshop image-resource block holds an IPTC-NAA record (8BIM
 * resource 0x0404). A block that cannot be walked counts as holding one.
 */
function holdsIptc(payload: Uint8Array): boolean {
  const reader = new ByteReader(payload, PHOTOSHOP.length);
  try {
    while (reader.remaining > 0) {
      if (!startsWith(reader.take(4), RESOURCE_SIGNATURE)) return true;
      const id = reader.u16be();
      const nameLength = reader.u8();
      reader.skip(nameLength + ((nameLength + 1) % 2)); // Pascal string padded to even
      const size = reader.u32be();
      if (id === IPTC_RESOURCE_ID) return true;
      if (size > reader.remaining) return true;
      reader.skip(Math.min(size + (size % 2), reader.remaining));
    }
    return false;
  } catch {
    return true;
  }
}
