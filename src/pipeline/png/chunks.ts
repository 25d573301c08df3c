import { ByteReader, invalidImage, startsWith } from '../bytes';
import { parseIhdr, PNG_SIGNATURE, readChunk, type PngIhdr } from './container';

/** The chunks a pixel decoder needs, as views into the file (nothing is copied). */
export interface PngLayout {
  ihdr: PngIhdr;
  /** PLTE payload: RGB triples. */
  palette?: Uint8Array;
  /** tRNS payload, raw (its meaning depends on the colour type). */
  transparency?: Uint8Array;
  /** IDAT payloads in file order; together they are one zlib stream. */
  idat: Uint8Array[];
}

/**
 * Walks the chunks of a PNG up to the end of its IDAT run (bounds-checked;
 * CRCs are left to `assertPngComplete`).
 * @throws invalid_image when a chunk runs past the end, there is no image
 *   data, or a palette image has no PLTE before it.
 */
export function readPngLayout(bytes: Uint8Array): PngLayout {
  if (!startsWith(bytes, PNG_SIGNATURE)) throw invalidImage('PNG signature is missing');
  const reader = new ByteReader(bytes, PNG_SIGNATURE.length);
  const ihdr = parseIhdr(readChunk(reader, false));
  const layout: PngLayout = { ihdr, idat: [] };
  while (reader.remaining > 0) {
    const { type, data } = readChunk(reader, false);
    if (type === 'IDAT') {
      if (ihdr.colorType === 3 && layout.palette === undefined) throw invalidImage('PNG palette is missing');
      layout.idat.push(data);
      continue;
    }
    // PNG §5.6: IDATs are consecutive, so the first other chunk after them ends the image data.
    if (layout.idat.length > 0 || type === 'IEND') break;
    if (type === 'PLTE') layout.palette ??= data;
    if (type === 'tRNS') layout.transparency ??= data;
  }
  if (layout.idat.length === 0) throw invalidImage('PNG has no image data');
  return layout;
}
