// @ts-check
// A ThumbHash decoder (the published format by Evan Wallace, https://evanw.github.io/thumbhash/):
// a DCT-coded LPQA image of up to 7×7 luminance terms in about 25 bytes, rendered at 32 px.

/**
 * Decodes a ThumbHash to RGBA pixels (not premultiplied), at most 32 px on the long side.
 * @param {Uint8Array} hash
 * @returns {{ width: number, height: number, rgba: Uint8ClampedArray<ArrayBuffer> }}
 */
export function thumbHashToRgba(hash) {
  if (hash.length < 5) throw new Error('ThumbHash too short');
  const at = (/** @type {number} */ i) => hash[i] ?? 0;
  const header24 = at(0) | (at(1) << 8) | (at(2) << 16);
  const header16 = at(3) | (at(4) << 8);
  const lDc = (header24 & 63) / 63;
  const pDc = ((header24 >> 6) & 63) / 31.5 - 1;
  const qDc = ((header24 >> 12) & 63) / 31.5 - 1;
  const lScale = ((header24 >> 18) & 31) / 31;
  const hasAlpha = header24 >> 23 === 1;
  const pScale = ((header16 >> 3) & 63) / 63;
  const qScale = ((header16 >> 9) & 63) / 63;
  const isLandscape = header16 >> 15 === 1;
  const lx = Math.max(3, isLandscape ? (hasAlpha ? 5 : 7) : header16 & 7);
  const ly = Math.max(3, isLandscape ? header16 & 7 : hasAlpha ? 5 : 7);
  const aDc = hasAlpha ? (at(5) & 15) / 15 : 1;
  const aScale = (at(5) >> 4) / 15;

  // AC coefficients: 4 bits each, low nibble first, in triangular order per channel.
  const acStart = hasAlpha ? 6 : 5;
  let acIndex = 0;
  /** @type {(nx: number, ny: number, scale: number) => number[]} */
  const channel = (nx, ny, scale) => {
    const ac = [];
    for (let cy = 0; cy < ny; cy++) {
      for (let cx = cy ? 0 : 1; cx * ny < nx * (ny - cy); cx++, acIndex++) {
        const nibble = (at(acStart + (acIndex >> 1)) >> ((acIndex & 1) << 2)) & 15;
        ac.push((nibble / 7.5 - 1) * scale);
      }
    }
    return ac;
  };
  const lAc = channel(lx, ly, lScale);
  const pAc = channel(3, 3, pScale * 1.25);
  const qAc = channel(3, 3, qScale * 1.25);
  const aAc = hasAlpha ? channel(5, 5, aScale) : [];

  const ratio = lx / ly;
  const width = Math.round(ratio > 1 ? 32 : 32 * ratio);
  const height = Math.round(ratio > 1 ? 32 / ratio : 32);
  const rgba = new Uint8ClampedArray(width * height * 4);
  const fx = new Float64Array(7);
  const fy = new Float64Array(7);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      let l = lDc;
      let p = pDc;
      let q = qDc;
      let a = aDc;
      for (let cx = 0, n = Math.max(lx, hasAlpha ? 5 : 3); cx < n; cx++)
        fx[cx] = Math.cos((Math.PI / width) * (x + 0.5) * cx);
      for (let cy = 0, n = Math.max(ly, hasAlpha ? 5 : 3); cy < n; cy++)
        fy[cy] = Math.cos((Math.PI / height) * (y + 0.5) * cy);
      for (let cy = 0, j = 0; cy < ly; cy++) {
        const fy2 = (fy[cy] ?? 0) * 2;
        for (let cx = cy ? 0 : 1; cx * ly < lx * (ly - cy); cx++, j++) l += (lAc[j] ?? 0) * (fx[cx] ?? 0) * fy2;
      }
      for (let cy = 0, j = 0; cy < 3; cy++) {
        for (let cx = cy ? 0 : 1; cx < 3 - cy; cx++, j++) {
          const f = (fx[cx] ?? 0) * (fy[cy] ?? 0) * 2;
          p += (pAc[j] ?? 0) * f;
          q += (qAc[j] ?? 0) * f;
        }
      }
      if (hasAlpha) {
        for (let cy = 0, j = 0; cy < 5; cy++) {
          for (let cx = cy ? 0 : 1; cx < 5 - cy; cx++, j++) a += (aAc[j] ?? 0) * (fx[cx] ?? 0) * (fy[cy] ?? 0) * 2;
        }
      }
      // LPQ to RGB; the clamped array rounds and clips.
      const b = l - (2 / 3) * p;
      const r = (3 * l - b + q) / 2;
      const g = r - q;
      rgba[i] = 255 * r;
      rgba[i + 1] = 255 * g;
      rgba[i + 2] = 255 * b;
      rgba[i + 3] = 255 * a;
    }
  }
  return { width, height, rgba };
}

/**
 * Paints a base64 ThumbHash into `canvas` (its pixel size becomes the hash's; CSS scales it).
 * @param {HTMLCanvasElement} canvas
 * @param {string} base64
 */
export function paintThumbHash(canvas, base64) {
  const hash = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
  const { width, height, rgba } = thumbHashToRgba(hash);
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) return;
  context.putImageData(new ImageData(rgba, width, height), 0, 0);
}
