import type { Frame } from './frame';

/** How one component is reconstructed at a given output scale. */
export interface ComponentPlan {
  /** Samples per block row and column produced by the IDCT (1, 2, 4 or 8). */
  nx: number;
  ny: number;
  /** Samples that hold image data at this IDCT size (libjpeg's downsampled_width/height). */
  width: number;
  height: number;
  /** Samples of this component at full scale that hold image data (ITU T.81 §A.1.1). */
  fullWidth: number;
  fullHeight: number;
  /** Samples per row of the MCU-padded grid. */
  planeWidth: number;
  /** Sample rows per MCU row. */
  rowsPerMcu: number;
  /** Output pixel x maps to sample floor(x * xNum / xDen); likewise for y. */
  xNum: number;
  xDen: number;
  yNum: number;
  yDen: number;
}

/**
 * Chooses each component's IDCT size for output scale 1/`scale`. Components
 * at full sampling use 8/scale. A subsampled one uses a larger IDCT instead
 * of upsampling, up to 8 (e.g. 4:2:0 at 1/2: chroma decodes 8×8 and needs no
 * upsampling; 3×1 luma at 1/8: chroma decodes 3 samples per block), like
 * libjpeg's jdmaster.c jpeg_core_output_dimensions but per axis and not only
 * for powers of 2. At full scale every component decodes 8×8, as in libjpeg.
 */
export function planComponents(frame: Frame, scale: number): ComponentPlan[] {
  const size = 8 / scale;
  return frame.components.map((c) => {
    const nx = idctSize(size, frame.maxH, c.h);
    const ny = idctSize(size, frame.maxV, c.v);
    return {
      nx,
      ny,
      width: Math.ceil((frame.width * c.h * nx) / (frame.maxH * 8)),
      height: Math.ceil((frame.height * c.v * ny) / (frame.maxV * 8)),
      fullWidth: Math.ceil((frame.width * c.h) / frame.maxH),
      fullHeight: Math.ceil((frame.height * c.v) / frame.maxV),
      planeWidth: c.blocksW * nx,
      rowsPerMcu: c.v * ny,
      xNum: c.h * nx,
      xDen: size * frame.maxH,
      yNum: c.v * ny,
      yDen: size * frame.maxV,
    };
  });
}

function idctSize(size: number, max: number, factor: number): number {
  return Math.min(8, Math.max(1, Math.floor((size * max) / factor)));
}

/** Output size for a scale: ceil(width/scale) × ceil(height/scale), as libjpeg's scale_denom gives. */
export function scaledDimensions(width: number, height: number, scale: number): { width: number; height: number } {
  return { width: Math.ceil(width / scale), height: Math.ceil(height / scale) };
}
