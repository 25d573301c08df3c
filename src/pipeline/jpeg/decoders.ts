import { invalidImage } from '../bytes';
import { BitReader } from './bit-reader';
import { CoefficientStore } from './coefficients';
import type { ColorTransform, Frame, ScanHeader, Tables } from './frame';
import type { ComponentPlan } from './layout';
import type { RowSink } from '../rows';
import { RowAssembler } from './output';
import { decodeProgressiveScan } from './scan-progressive';
import { decodeSequentialScan } from './scan-sequential';

/** Decodes the scans of one frame and produces its rows. */
export interface FrameDecoder {
  /** Decodes the scan whose entropy-coded data starts at `pos`; returns the offset of the marker after it. */
  decodeScan(bytes: Uint8Array, pos: number, scan: ScanHeader, restartInterval: number): number;
  /** At EOI: emits whatever rows are still owed. */
  finish(): void;
}

export interface DecoderSetup {
  frame: Frame;
  /** Output scale denominator (1, 2, 4 or 8). */
  scale: number;
  plans: ComponentPlan[];
  tables: Tables;
  transform: ColorTransform;
  outWidth: number;
  outHeight: number;
  sink: RowSink;
}

/** Each component's upsampling ratio at full scale (max factor / its factor). */
function fullRatios(frame: Frame): { h: number; v: number }[] {
  return frame.components.map((c) => ({ h: frame.maxH / c.h, v: frame.maxV / c.v }));
}

/**
 * libjpeg latches a component's quantization table at its first scan
 * (jdinput.c latch_quant_tables), so a later DQT does not change it.
 * @throws invalid_image when the table was never defined.
 */
function latchQuant(setup: DecoderSetup, index: number): Int32Array {
  const component = setup.frame.components[index]!;
  if (component.quant === undefined) {
    const table = setup.tables.quant[component.tq];
    if (table === undefined) throw invalidImage('JPEG quantization table is missing');
    component.quant = table.slice();
  }
  return component.quant;
}

/**
 * A sequential frame whose first scan holds every component (the usual
 * baseline file): blocks are inverse-transformed as they are decoded and rows
 * leave as each MCU row completes, so only a few MCU rows of samples are held.
 */
/** The row assembler for a frame's output size, scale and sampling. */
function createAssembler(setup: DecoderSetup): RowAssembler {
  const { frame, plans, transform, outWidth, outHeight, sink, scale } = setup;
  return new RowAssembler(plans, transform, outWidth, outHeight, sink, scale, fullRatios(frame));
}

export class StreamingDecoder implements FrameDecoder {
  private readonly setup: DecoderSetup;
  private done = false;

  constructor(setup: DecoderSetup) {
    this.setup = setup;
  }

  decodeScan(bytes: Uint8Array, pos: number, scan: ScanHeader, restartInterval: number): number {
    if (this.done) throw invalidImage('JPEG has a scan after the image is complete');
    const { frame } = this.setup;
    const quant = frame.components.map((_, i) => latchQuant(this.setup, i));
    const assembler = createAssembler(this.setup);
    const reader = new BitReader(bytes, pos);
    decodeSequentialScan(
      reader,
      frame,
      scan,
      restartInterval,
      (c, bx, by, coefs, last) => assembler.putBlock(c, bx, by, coefs, quant[c]!, last),
      (mcuY) => assembler.mcuRowDone(mcuY),
    );
    assembler.finish();
    this.done = true;
    return reader.pos;
  }

  finish(): void {
    // Rows already left with the scan.
  }
}

/**
 * Progressive frames, and sequential frames whose components come in
 * separate scans: coefficients are kept until EOI (only those the output
 * scale uses), then rendered MCU row by MCU row.
 */
export class BufferedDecoder implements FrameDecoder {
  private readonly setup: DecoderSetup;
  private readonly stores: CoefficientStore[];

  constructor(setup: DecoderSetup) {
    this.setup = setup;
    const { frame, plans } = setup;
    this.stores = frame.components.map((c, i) => {
      const plan = plans[i]!;
      const edges = {
        column: plan.fullWidth % 8 === 0 ? -1 : c.dataBlocksW - 1,
        row: plan.fullHeight % 8 === 0 ? -1 : c.dataBlocksH - 1,
      };
      return new CoefficientStore(c.blocksW, c.blocksH, plan.nx, plan.ny, frame.progressive, edges);
    });
  }

  decodeScan(bytes: Uint8Array, pos: number, scan: ScanHeader, restartInterval: number): number {
    for (const i of scan.components) latchQuant(this.setup, i);
    const reader = new BitReader(bytes, pos);
    const { frame } = this.setup;
    if (frame.progressive) {
      decodeProgressiveScan(reader, frame, scan, restartInterval, this.stores);
    } else {
      decodeSequentialScan(reader, frame, scan, restartInterval, (c, bx, by, coefs) =>
        this.stores[c]!.storeBlock(bx, by, coefs),
      );
    }
    return reader.pos;
  }

  finish(): void {
    const { frame } = this.setup;
    const quant = frame.components.map((_, i) => latchQuant(this.setup, i));
    const assembler = createAssembler(this.setup);
    const coefs = new Int32Array(64);
    for (let my = 0; my < frame.mcusY; my++) {
      for (let c = 0; c < frame.components.length; c++) {
        const component = frame.components[c]!;
        for (let by = my * component.v; by < (my + 1) * component.v; by++) {
          assembleBlockRow(this.stores[c]!, assembler, c, by, component.blocksW, coefs, quant[c]!);
        }
      }
      assembler.mcuRowDone(my);
    }
    assembler.finish();
  }
}

/**
 * Hands one row of a component's stored blocks to the assembler. A row per
 * call: V8 compiles a loop that runs once per image on-stack, for that call
 * only, and discards that code whenever an inner loop of it exits, so a nest
 * of loops over the whole image ran mostly unoptimised in every image; a
 * function called per row is compiled once and stays compiled.
 */
function assembleBlockRow(
  store: CoefficientStore,
  assembler: RowAssembler,
  c: number,
  by: number,
  blocksW: number,
  coefs: Int32Array,
  quant: Int32Array,
): void {
  const full = store.isFull;
  for (let bx = 0; bx < blocksW; bx++) {
    const last = store.last === undefined ? 63 : store.last[by * blocksW + bx]!;
    // Dropped coefficients, and those past `last`, must read as zero
    // (a DC-only block reads nothing else).
    if (!full || (last > 0 && last < 63)) coefs.fill(0);
    store.loadBlock(bx, by, coefs, last);
    assembler.putBlock(c, bx, by, coefs, quant, last);
  }
}
