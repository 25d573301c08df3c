import { keepShape } from '../keep-shape';
import { canFuseYcc, convertRow, h2v2FancyYccRow } from './color';
import type { ColorTransform } from './frame';
import { idctBlock, idctDcOnly } from './idct';
import type { ComponentPlan } from './layout';
import type { RowSink } from '../rows';
import { Upsampler } from './upsample';

/**
 * Turns blocks into output rows as MCU rows complete. Each component keeps a
 * ring of three MCU rows of samples at its decode size: the current one, and
 * the previous ones for rows still waiting on the next row's first samples
 * (triangle upsampling looks one sample row ahead).
 */
export class RowAssembler {
  private readonly plans: ComponentPlan[];
  private readonly transform: ColorTransform;
  private readonly outWidth: number;
  private readonly outHeight: number;
  private readonly sink: RowSink;
  private readonly rings: Uint8Array[];
  private readonly ringRows: number[];
  /** Per component: sample row i (mod the ring) as a view, made once rather than per output row. */
  private readonly rowOf: ((i: number) => Uint8Array)[];
  private readonly upsamplers: Upsampler[];
  private readonly available: number[];
  private readonly rgba: Uint8ClampedArray;
  private readonly pixels: Int32Array;
  private readonly rows: Uint8Array[];
  /** Per component: natural indices outside the top-left nx×ny, zeroed in interior blocks (see putBlock). */
  private readonly dropped: Int32Array[];
  /** 4:2:0 YCbCr at full scale: chroma upsampling and colour conversion in one pass (color.ts h2v2FancyYccRow). */
  private readonly fused: boolean;
  private nextRow = 0;

  constructor(
    plans: ComponentPlan[],
    transform: ColorTransform,
    outWidth: number,
    outHeight: number,
    sink: RowSink,
    scale: number,
    fullRatios: { h: number; v: number }[],
  ) {
    this.plans = plans;
    this.transform = transform;
    this.outWidth = outWidth;
    this.outHeight = outHeight;
    this.sink = sink;
    this.ringRows = plans.map((p) => p.rowsPerMcu * 3);
    this.rings = plans.map((p, i) => new Uint8Array(p.planeWidth * this.ringRows[i]!));
    this.rowOf = plans.map((p, c) => {
      const ringRows = this.ringRows[c]!;
      const views = Array.from({ length: ringRows }, (_, r) =>
        this.rings[c]!.subarray(r * p.planeWidth, (r + 1) * p.planeWidth),
      );
      return (i: number) => views[i % ringRows]!;
    });
    this.upsamplers = plans.map((p, i) => new Upsampler(p, outWidth, scale, fullRatios[i]!));
    this.available = plans.map(() => 0);
    this.rgba = new Uint8ClampedArray(outWidth * 4);
    this.pixels = new Int32Array(this.rgba.buffer);
    this.rows = plans.map(() => new Uint8Array(0));
    this.dropped = plans.map((p) => droppedCoefficients(p.nx, p.ny));
    const cb = this.upsamplers[1];
    const cr = this.upsamplers[2];
    this.fused =
      canFuseYcc &&
      transform === 'ycbcr' &&
      plans.length === 3 &&
      scale === 1 &&
      plans[0]!.xNum === plans[0]!.xDen &&
      plans[0]!.yNum === plans[0]!.yDen &&
      plans[0]!.width >= outWidth &&
      cb!.isH2v2Fancy &&
      cr!.isH2v2Fancy &&
      cb!.sampleWidth === cr!.sampleWidth &&
      (outWidth + 1) >> 1 === cb!.sampleWidth;
  }

  /**
   * Inverse-transforms one block of component `c` into its place in the ring.
   * `last` bounds the zig-zag index of its last nonzero coefficient (0: DC only).
   */
  putBlock(c: number, blockX: number, blockY: number, coefs: Int32Array, quant: Int32Array, last = 63): void {
    const plan = this.plans[c]!;
    const ringRow = (blockY * plan.ny) % this.ringRows[c]!;
    const offset = ringRow * plan.planeWidth + blockX * plan.nx;
    if (last === 0 && plan.nx === 8 && plan.ny === 8) {
      // A flat block: what idct8x8 computes for DC alone (jidctint.c's
      // all-zero column and row shortcuts), written without the two passes.
      idctDcOnly(coefs[0]!, quant[0]!, this.rings[c]!, offset, plan.planeWidth);
      return;
    }
    const realX = edgePixels(plan.fullWidth - blockX * 8);
    const realY = edgePixels(plan.fullHeight - blockY * 8);
    // A buffered (progressive) decode keeps only these coefficients of an
    // interior block (CoefficientStore); a streamed one drops them too, so a
    // progressive file and its baseline twin decode to the same pixels at
    // every scale. The kept ones are the block's low frequencies, which is
    // all a pre-shrink before the resampler's kernel needs.
    const dropped = this.dropped[c]!;
    if (dropped.length > 0 && realX === 8 && realY === 8)
      for (let i = 0; i < dropped.length; i++) coefs[dropped[i]!] = 0;
    idctBlock(coefs, quant, plan.nx, plan.ny, realX, realY, this.rings[c]!, offset, plan.planeWidth);
  }

  /** Every component's blocks of MCU row `mcuY` are in: emit the output rows that are now complete. */
  mcuRowDone(mcuY: number): void {
    for (let c = 0; c < this.plans.length; c++) {
      const plan = this.plans[c]!;
      this.available[c] = Math.min((mcuY + 1) * plan.rowsPerMcu, plan.height);
    }
    this.emit(false);
  }

  /** The last MCU row is done: emit what is left (rows that waited for a next sample row that never comes). */
  finish(): void {
    this.emit(true);
  }

  private fusedRow(y: number): void {
    const luma = this.upsamplers[0]!.upsampleRow(y, this.rowOf[0]!);
    const cb = this.upsamplers[1]!.fancyRows(y, this.rowOf[1]!);
    const cr = this.upsamplers[2]!.fancyRows(y, this.rowOf[2]!);
    h2v2FancyYccRow(
      luma,
      cb.near,
      cb.far,
      cr.near,
      cr.far,
      this.upsamplers[1]!.sampleWidth,
      this.outWidth,
      this.pixels,
    );
  }

  private emit(final: boolean): void {
    const count = this.plans.length;
    while (this.nextRow < this.outHeight) {
      const y = this.nextRow;
      if (!final) {
        let ready = true;
        for (let c = 0; c < count; c++) {
          if (this.upsamplers[c]!.lastRowFor(y) >= this.available[c]!) {
            ready = false;
            break;
          }
        }
        if (!ready) return;
      }
      if (this.fused) {
        this.fusedRow(y);
      } else {
        for (let c = 0; c < count; c++) {
          this.rows[c] = this.upsamplers[c]!.upsampleRow(y, this.rowOf[c]!);
        }
        convertRow(this.transform, this.rows, this.outWidth, this.rgba, this.pixels);
      }
      this.nextRow++;
      this.sink.put(y, this.rgba);
    }
  }
}

/** Natural (row-major) indices of the coefficients outside a block's top-left `nx`×`ny`. */
function droppedCoefficients(nx: number, ny: number): Int32Array {
  const out: number[] = [];
  for (let natural = 0; natural < 64; natural++) if (natural >> 3 >= ny || (natural & 7) >= nx) out.push(natural);
  return Int32Array.from(out);
}

/** Pixels of a block inside the image: 1..7 on the right/bottom edge, else 8 (padding blocks included). */
function edgePixels(remaining: number): number {
  return remaining > 0 && remaining < 8 ? remaining : 8;
}

// Keeps the assembler's map alive between images (see keepShape): one grey
// 8×8 component, a one-pixel output, rows dropped.
keepShape(
  new RowAssembler(
    [
      {
        nx: 8,
        ny: 8,
        width: 1,
        height: 1,
        fullWidth: 1,
        fullHeight: 1,
        planeWidth: 8,
        rowsPerMcu: 8,
        xNum: 8,
        xDen: 8,
        yNum: 8,
        yDen: 8,
      },
    ],
    'gray',
    1,
    1,
    { put() {} },
    1,
    [{ h: 1, v: 1 }],
  ),
);
