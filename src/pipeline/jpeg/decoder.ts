import { PipelineError } from '../errors';
import { ByteReader, invalidImage } from '../bytes';
import { BufferedDecoder, StreamingDecoder, type DecoderSetup, type FrameDecoder } from './decoders';
import {
  colorTransformOf,
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
import { APP0, APP14, DHT, DQT, DRI, isSof, parseFrame, segments, SOS } from './markers';

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
  const tables: Tables = { quant: [], dc: [], ac: [] };
  let frame: Frame | undefined;
  let decoder: FrameDecoder | undefined;
  let restartInterval = 0;
  let jfif = false;
  let adobeTransform: number | undefined;
  let scans = 0;

  for (const { marker, payload } of segments(reader)) {
    if (isSof(marker)) {
      if (frame !== undefined) throw invalidImage('JPEG has more than one frame header');
      frame = parseFrame(marker, payload);
      checkPixels(frame, options.maxPixels);
      continue;
    }
    switch (marker) {
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
  if (frame === undefined || decoder === undefined) throw invalidImage('JPEG has no image data');
  decoder.finish();
  return scaledDimensions(frame.width, frame.height, options.scale);
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
