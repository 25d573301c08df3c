import type { ComponentPlan } from './layout';

/**
 * How one component's sample rows become output rows, per axis:
 * - at full scale, a 2:1 ratio gets libjpeg's "fancy" triangle filter
 *   (jdsample.c h2v1/h1v2/h2v2_fancy_upsample, same arithmetic, so output
 *   matches libjpeg's);
 * - at a reduced scale the chroma IDCT is enlarged instead (see layout.ts),
 *   and where libjpeg would have used the triangle filter at full scale the
 *   samples get the smoothing that filter leaves after an s× area downscale:
 *   neighbour weight 1/(4s), i.e. [1, 6, 1]/8 at 1/2, which matches "full
 *   decode, then area-downscale" exactly (approximately at 1/4 and 1/8);
 * - anything else is area resampling: replication for integer ratios
 *   (libjpeg's int_upsample), a weighted mix of two samples for fractional ones.
 */
export class Upsampler {
  private readonly plan: ComponentPlan;
  private readonly outWidth: number;
  private readonly mode: { h: AxisMode; v: AxisMode };
  private readonly temp: Uint8Array;
  private readonly mixed: Uint8Array;
  /** Reused result of {@link fancyRows}. */
  private readonly pair: { near: Uint8Array; far: Uint8Array } = { near: new Uint8Array(0), far: new Uint8Array(0) };
  /** Neighbour weight numerator over 256 for the smoothing mode. */
  private readonly smooth: number;

  constructor(plan: ComponentPlan, outWidth: number, scale: number, fullRatio: { h: number; v: number }) {
    this.plan = plan;
    this.outWidth = outWidth;
    const fx = plan.xDen / plan.xNum;
    const fy = plan.yDen / plan.yNum;
    const fancyH = scale === 1 && fx === 2 && plan.width > 2;
    // libjpeg uses the vertical triangle only with a horizontal ratio of 1 or a fancy 2.
    const fancyV = scale === 1 && fy === 2 && (fx === 1 || fancyH);
    const smoothable = (f: number, ratio: number): boolean => scale > 1 && f === 1 && ratio === 2;
    this.mode = {
      h: fancyH ? 'fancy' : smoothable(fx, fullRatio.h) && plan.width > 2 ? 'smooth' : fx === 1 ? 'copy' : 'area',
      v: fancyV ? 'fancy' : smoothable(fy, fullRatio.v) ? 'smooth' : fy === 1 ? 'copy' : 'area',
    };
    this.smooth = 256 / (4 * scale);
    this.temp = new Uint8Array(outWidth + 8);
    this.mixed = new Uint8Array(plan.planeWidth + 8);
  }

  /** Whether this is libjpeg's h2v2 fancy upsampling (4:2:0 chroma at full scale), which {@link fancyRows} serves. */
  get isH2v2Fancy(): boolean {
    return this.mode.h === 'fancy' && this.mode.v === 'fancy';
  }

  /** Chroma sample columns (h2v2 fancy: each becomes two output pixels). */
  get sampleWidth(): number {
    return this.plan.width;
  }

  /**
   * For h2v2 fancy upsampling: the nearer and the farther sample row output
   * row `y` blends (3:1), as {@link upsampleRow} would read them.
   */
  fancyRows(y: number, row: (i: number) => Uint8Array): { near: Uint8Array; far: Uint8Array } {
    const last = this.plan.height - 1;
    const near = Math.min(y >> 1, last);
    const far = (y & 1) === 0 ? Math.max(near - 1, 0) : Math.min(near + 1, last);
    const pair = this.pair;
    pair.near = row(near);
    pair.far = row(far);
    return pair;
  }

  /** The last sample row output row `y` reads. */
  lastRowFor(y: number): number {
    const { yNum, yDen, height } = this.plan;
    switch (this.mode.v) {
      case 'copy':
        return Math.min(y, height - 1);
      case 'fancy':
        return Math.min((y >> 1) + (y & 1), height - 1);
      case 'smooth':
        return Math.min(y + 1, height - 1);
      case 'area':
        return Math.min(Math.floor(((y + 1) * yNum - 1) / yDen), height - 1);
    }
  }

  /**
   * Output row `y` of this component, `outWidth` samples long. `row(i)` gives
   * sample row i. The result may be a view of a sample row or an internal
   * buffer; it is valid until the next call.
   */
  upsampleRow(y: number, row: (i: number) => Uint8Array): Uint8Array {
    const plan = this.plan;
    const last = plan.height - 1;
    const out = this.temp;
    let src: Uint8Array;
    switch (this.mode.v) {
      case 'copy':
        src = row(Math.min(y, last));
        break;
      case 'fancy': {
        const near = Math.min(y >> 1, last);
        const upper = (y & 1) === 0;
        const far = row(upper ? Math.max(near - 1, 0) : Math.min(near + 1, last));
        if (this.mode.h === 'fancy') {
          h2v2Fancy(row(near), far, plan.width, out);
          return out;
        }
        // h1v2_fancy_upsample.
        const nearRow = row(near);
        const bias = upper ? 1 : 2;
        for (let x = 0; x < this.outWidth; x++) out[x] = (nearRow[x]! * 3 + far[x]! + bias) >> 2;
        return out;
      }
      case 'smooth': {
        const above = row(Math.max(y - 1, 0));
        const here = row(Math.min(y, last));
        const below = row(Math.min(y + 1, last));
        src = this.mixed;
        const w = this.smooth;
        const centre = 256 - 2 * w;
        for (let x = 0; x < plan.width; x++) src[x] = (above[x]! * w + here[x]! * centre + below[x]! * w + 128) >> 8;
        break;
      }
      case 'area': {
        const { yNum, yDen } = plan;
        const a = y * yNum;
        const b = (y + 1) * yNum;
        const r0 = Math.min(Math.floor(a / yDen), last);
        const r1 = Math.min(Math.floor((b - 1) / yDen), last);
        if (r0 === r1) {
          src = row(r0);
        } else {
          const w1 = b - Math.floor((b - 1) / yDen) * yDen;
          const w0 = yNum - w1;
          const s0 = row(r0);
          const s1 = row(r1);
          src = this.mixed;
          for (let x = 0; x < plan.width; x++) src[x] = Math.floor((s0[x]! * w0 + s1[x]! * w1) / yNum + 0.5);
        }
        break;
      }
    }
    switch (this.mode.h) {
      case 'copy':
        return src;
      case 'fancy':
        h2v1Fancy(src, plan.width, out);
        return out;
      case 'smooth': {
        const w = this.smooth;
        const centre = 256 - 2 * w;
        const n = plan.width;
        for (let x = 0; x < this.outWidth; x++) {
          out[x] = (src[x > 0 ? x - 1 : 0]! * w + src[x]! * centre + src[x < n - 1 ? x + 1 : n - 1]! * w + 128) >> 8;
        }
        return out;
      }
      case 'area': {
        const { xNum, xDen, width } = plan;
        for (let x = 0; x < this.outWidth; x++) {
          const a = x * xNum;
          const b = (x + 1) * xNum;
          const i0 = Math.floor(a / xDen);
          const i1 = Math.floor((b - 1) / xDen);
          if (i0 === i1 || i1 >= width) {
            out[x] = src[Math.min(i0, width - 1)]!;
          } else {
            const w1 = b - i1 * xDen;
            out[x] = Math.floor((src[i0]! * (xNum - w1) + src[i1]! * w1) / xNum + 0.5);
          }
        }
        return out;
      }
    }
  }
}

type AxisMode = 'copy' | 'fancy' | 'smooth' | 'area';

/** jdsample.c h2v1_fancy_upsample: 3/4 nearer sample + 1/4 further, alternating rounding. */
function h2v1Fancy(src: Uint8Array, width: number, out: Uint8Array): void {
  let o = 0;
  let v = src[0]!;
  out[o++] = v;
  out[o++] = (v * 3 + src[1]! + 2) >> 2;
  for (let i = 1; i < width - 1; i++) {
    v = src[i]! * 3;
    out[o++] = (v + src[i - 1]! + 1) >> 2;
    out[o++] = (v + src[i + 1]! + 2) >> 2;
  }
  v = src[width - 1]!;
  out[o++] = (v * 3 + src[width - 2]! + 1) >> 2;
  out[o] = v;
}

/** jdsample.c h2v2_fancy_upsample for one output row: `near` is the nearer sample row. */
function h2v2Fancy(near: Uint8Array, far: Uint8Array, width: number, out: Uint8Array): void {
  let o = 0;
  let thisSum = near[0]! * 3 + far[0]!;
  let nextSum = near[1]! * 3 + far[1]!;
  out[o++] = (thisSum * 4 + 8) >> 4;
  out[o++] = (thisSum * 3 + nextSum + 7) >> 4;
  let lastSum = thisSum;
  thisSum = nextSum;
  for (let i = 2; i < width; i++) {
    nextSum = near[i]! * 3 + far[i]!;
    out[o++] = (thisSum * 3 + lastSum + 8) >> 4;
    out[o++] = (thisSum * 3 + nextSum + 7) >> 4;
    lastSum = thisSum;
    thisSum = nextSum;
  }
  out[o++] = (thisSum * 3 + lastSum + 8) >> 4;
  out[o] = (thisSum * 4 + 7) >> 4;
}
