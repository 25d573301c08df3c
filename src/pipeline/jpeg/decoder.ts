import { PipelineError } from '../errors';
import { ByteReader, invalidImage } from '../bytes';
import { BufferedDecoder, StreamingDecoder, type DecoderSetup, type FrameDecoder } from './decoders';
import {
  colorTransformOf,
  parseFrame,
  parseHuffmanTables,
  parseQuantTables,
  parseRestartInterval,
  parseScanHeader,
  readAdobeTransform,
  type Frame,
  type Tables,
} from './frame';
import { planComponents, scaledDimensions } from './layout';
import type { RowSink } from '../rows';
import { MAX_JPEG_SCANS } from './container';

/** Output scale: 1/1, 1/2, 1/4 or 1/8 of the stored size, by DCT scaling. */
export type JpegScale = 1 | 2 | 4 | 8;

export interface JpegDecodeOptions {
  /** Output is ceil(width/scale) × ceil(height/scale). */
  scale: JpegScale;
  /** Refuse a progressive file with more scans than this (default 100): a 200 KB file with 5000 scans must not burn 90 s of CPU. */
  maxScans?: number;
  /** Refuse before allocating if width*height (stored size) exceeds this. */
  maxPixels?: number;
}

const SOF_BASELINE = 0xc0;
const SOF_EXTENDED = 0xc1;
const SOF_PROGRESSIVE = 0xc2;
const DHT = 0xc4;
const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const DQT = 0xdb;
const DRI = 0xdd;
const APP0 = 0xe0;
const APP14 = 0xee;

const UNSUPPORTED_SOF: Record<number, string> = {
  0xc3: 'Lossless JPEG is not supported',
  0xc5: 'Hierarchical JPEG is not supported',
  0xc6: 'Hierarchical JPEG is not supported',
  0xc7: 'Hierarchical JPEG is not supported',
  0xc9: 'Arithmetic-coded JPEG is not supported',
  0xca: 'Arithmetic-coded JPEG is not supported',
  0xcb: 'Arithmetic-coded JPEG is not supported',
  0xcd: 'Arithmetic-coded JPEG is not supported',
  0xce: 'Arithmetic-coded JPEG is not supported',
  0xcf: 'Arithmetic-coded JPEG is not supported',
};

/**
 * Output size of a JPEG decoded at `scale`: ceil(width/scale) × ceil(height/scale).
 */
export function scaledSize(width: number, height: number, scale: JpegScale): { width: number; height: number } {
  return scaledDimensions(width, height, scale);
}

/**
 * Decodes a baseline, extended-sequential (8-bit) or progressive Huffman JPEG
 * straight to 1/`scale` of its size, handing whole RGBA rows to `sink` as they are
 * produced. Sequential files hold only a few MCU rows of samples; progressive
 * ones hold, until the last scan, only the DCT coefficients the scale uses.
 * EXIF orientation is not applied; alpha is 255.
 *
 * Errors thrown by `sink` propagate unchanged.
 * @returns the output (scaled) size.
 * @throws PipelineError `dimensions_exceeded` when width×height is over
 *   `maxPixels`; `invalid_image` for anything not decodable: arithmetic,
 *   lossless or hierarchical coding, 12-bit samples, missing tables, invalid
 *   Huffman codes, truncated data (the image must be complete, up to EOI),
 *   more than `maxScans` scans.
 */
export function decodeJpeg(
  bytes: Uint8Array,
  options: JpegDecodeOptions,
  sink: RowSink,
): { width: number; height: number } {
  if (![1, 2, 4, 8].includes(options.scale)) {
    throw new RangeError(`Expected 1, 2, 4 or 8 for scale but received ${options.scale}`);
  }
  let inCallback = false;
  const guarded: RowSink = {
    put(y, rgba) {
      inCallback = true;
      sink.put(y, rgba);
      inCallback = false;
    },
  };
  try {
    return decodeFile(bytes, options, guarded);
  } catch (error) {
    if (error instanceof PipelineError || inCallback) throw error;
    // Every read is bounds-checked, so this is a safety net (e.g. an
    // allocation the runtime refuses), not an expected path.
    throw new PipelineError('invalid_image', 'The JPEG data could not be decoded', { cause: error });
  }
}

function decodeFile(bytes: Uint8Array, options: JpegDecodeOptions, sink: RowSink): { width: number; height: number } {
  const maxScans = options.maxScans ?? MAX_JPEG_SCANS;
  const reader = new ByteReader(bytes);
  if (reader.u8() !== 0xff || reader.u8() !== SOI) throw invalidImage('JPEG signature is missing');
  const tables: Tables = { quant: [], dc: [], ac: [] };
  let frame: Frame | undefined;
  let decoder: FrameDecoder | undefined;
  let restartInterval = 0;
  let jfif = false;
  let adobeTransform: number | undefined;
  let scans = 0;

  for (;;) {
    const marker = readMarker(reader);
    if (marker === EOI) {
      if (frame === undefined || decoder === undefined) throw invalidImage('JPEG has no image data');
      decoder.finish();
      return scaledDimensions(frame.width, frame.height, options.scale);
    }
    if (marker === SOI) throw invalidImage('JPEG structure is corrupt');
    // RSTn and TEM have no length (§B.1.1.3); a stray one is skipped, as libjpeg does.
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue;
    const length = reader.u16be();
    if (length < 2) throw invalidImage('JPEG segment length is invalid');
    const payload = reader.take(length - 2);

    const unsupported = UNSUPPORTED_SOF[marker];
    if (unsupported !== undefined) throw invalidImage(unsupported);
    switch (marker) {
      case SOF_BASELINE:
      case SOF_EXTENDED:
      case SOF_PROGRESSIVE:
        if (frame !== undefined) throw invalidImage('JPEG has more than one frame header');
        frame = parseFrame(payload, marker === SOF_PROGRESSIVE);
        checkPixels(frame, options.maxPixels);
        break;
      case DHT:
        parseHuffmanTables(payload, tables);
        break;
      case DQT:
        parseQuantTables(payload, tables);
        break;
      case DRI:
        restartInterval = parseRestartInterval(payload);
        break;
      case APP0:
        if (payload.length >= 5 && String.fromCharCode(...payload.subarray(0, 5)) === 'JFIF\0') jfif = true;
        break;
      case APP14:
        adobeTransform ??= readAdobeTransform(payload);
        break;
      case SOS: {
        if (frame === undefined) throw invalidImage('JPEG scan precedes the frame header');
        scans++;
        if (scans > maxScans) throw invalidImage('JPEG has too many scans', { maxScans });
        const scan = parseScanHeader(payload, frame, tables);
        decoder ??= createDecoder(frame, scan.components.length, {
          tables,
          transform: colorTransformOf(frame, { jfif, adobeTransform }),
          scale: options.scale,
          sink,
        });
        reader.seek(decoder.decodeScan(bytes, reader.pos, scan, restartInterval));
        break;
      }
      default:
        // APPn, COM, DNL and the rest carry nothing the pixels need.
        break;
    }
  }
}

function createDecoder(
  frame: Frame,
  firstScanComponents: number,
  options: { tables: Tables; transform: DecoderSetup['transform']; scale: JpegScale; sink: RowSink },
): FrameDecoder {
  const out = scaledDimensions(frame.width, frame.height, options.scale);
  const setup: DecoderSetup = {
    frame,
    scale: options.scale,
    plans: planComponents(frame, options.scale),
    tables: options.tables,
    transform: options.transform,
    outWidth: out.width,
    outHeight: out.height,
    sink: options.sink,
  };
  const streaming = !frame.progressive && firstScanComponents === frame.components.length;
  return streaming ? new StreamingDecoder(setup) : new BufferedDecoder(setup);
}

function checkPixels(frame: Frame, maxPixels: number | undefined): void {
  if (maxPixels !== undefined && frame.width * frame.height > maxPixels) {
    throw new PipelineError('dimensions_exceeded', `Image is ${frame.width}x${frame.height}, over the pixel limit`, {
      details: { width: frame.width, height: frame.height, maxPixels },
    });
  }
}

/**
 * Reads the next marker code. Like libjpeg's next_marker, bytes that are not
 * a marker are skipped (damaged files often have a few between segments) and
 * fill bytes (extra FFs, ITU T.81 §B.1.1.2) are allowed.
 * @throws invalid_image when the data ends first.
 */
function readMarker(reader: ByteReader): number {
  for (;;) {
    while (reader.u8() !== 0xff) {
      // Not a marker: keep looking.
    }
    let code = reader.u8();
    while (code === 0xff) code = reader.u8();
    if (code !== 0) return code;
  }
}
