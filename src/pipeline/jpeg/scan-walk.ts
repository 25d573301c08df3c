import { invalidImage } from '../bytes';
import type { BitReader } from './bit-reader';
import type { Frame, FrameComponent, ScanHeader } from './frame';

/** Decodes one block of a scan: `index` is the component's position in the scan header. */
export type BlockDecoder = (index: number, blockX: number, blockY: number) => void;

export interface ScanWalk {
  frame: Frame;
  scan: ScanHeader;
  /** MCUs per restart interval, 0 for none. */
  restartInterval: number;
  decodeBlock: BlockDecoder;
  /** Resets the DC predictions and EOB run at a restart marker (ITU T.81 §F.2.1.3). */
  onRestart: () => void;
  /** Called after each complete row of MCUs (for a single-component scan: row of blocks). */
  onMcuRow?: (mcuY: number) => void;
}

/**
 * Walks every MCU of a scan in order (ITU T.81 §A.2): interleaved scans by
 * MCU over the padded grid, single-component scans block by block over the
 * component's data blocks only (§A.2.2). Handles restart markers, and leaves
 * the reader on the marker after the scan.
 * @throws invalid_image when the data ends before the last MCU, and whatever
 *   the block decoder throws.
 */
export function walkScan(reader: BitReader, walk: ScanWalk): void {
  const { frame, scan, onMcuRow } = walk;
  const comps = scan.components.map((i) => frame.components[i]!);
  const interleaved = comps.length > 1;
  const mcusX = interleaved ? frame.mcusX : comps[0]!.dataBlocksW;
  const mcusY = interleaved ? frame.mcusY : comps[0]!.dataBlocksH;
  for (let my = 0; my < mcusY; my++) {
    walkMcuRow(reader, walk, comps, my, mcusX);
    onMcuRow?.(my);
  }
  reader.findMarker();
}

/**
 * One row of MCUs of {@link walkScan}, an interleaved MCU's blocks a call
 * each. A row per call: V8 compiles a loop that runs once per scan on-stack,
 * for that call only, and discards that code whenever an inner loop of it
 * exits, so a nest of loops over the whole scan ran mostly unoptimised in
 * every image; small functions called many times are compiled once and stay so.
 */
function walkMcuRow(reader: BitReader, walk: ScanWalk, comps: FrameComponent[], my: number, mcusX: number): void {
  const { restartInterval, decodeBlock, onRestart } = walk;
  const interleaved = comps.length > 1;
  for (let mx = 0, mcu = my * mcusX; mx < mcusX; mx++, mcu++) {
    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
      reader.restart();
      onRestart();
    }
    if (interleaved) walkMcu(decodeBlock, comps, mx, my);
    else decodeBlock(0, mx, my);
    if (reader.overran) checkOverrun(reader, restartInterval);
  }
}

/** The blocks of one interleaved MCU, component by component (§A.2.3). */
function walkMcu(decodeBlock: BlockDecoder, comps: FrameComponent[], mx: number, my: number): void {
  for (let i = 0; i < comps.length; i++) {
    const c = comps[i]!;
    for (let by = 0; by < c.v; by++) {
      for (let bx = 0; bx < c.h; bx++) decodeBlock(i, mx * c.h + bx, my * c.v + by);
    }
  }
}

/**
 * Bits past the data were used. Before an RSTn marker that is corrupt data
 * inside one restart interval: libjpeg decodes on with zero bits and resyncs
 * at the marker, and so do we. Anywhere else the file is cut short, and the
 * caller requires a complete image.
 */
export function checkOverrun(reader: BitReader, restartInterval: number): void {
  const m = reader.marker;
  if (restartInterval > 0 && m >= 0xd0 && m <= 0xd7) return;
  throw invalidImage('JPEG data is truncated');
}
