// Writes the committed JPEG twins under test/fixtures/twins/: a baseline JPEG
// and its lossless progressive transcode (same DCT coefficients), for the test
// that a progressive and a baseline encoding decode alike at every scale.
// Needs Debian's libjpeg-turbo-progs (cjpeg, jpegtran); CI does not run this,
// it reads the committed files. `npx tsx scripts/make-jpeg-twins.ts`

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const OUT = fileURLToPath(new URL('../test/fixtures/twins/', import.meta.url));

/**
 * A picture made to hold every DCT frequency: a zone plate (cos of r², up to
 * the Nyquist rate at the corners) in green, a 1-px checkerboard band, and
 * diagonal colour stripes in red and blue, as binary PPM (P6).
 */
function picture(width: number, height: number): Uint8Array {
  const header = new TextEncoder().encode(`P6\n${width} ${height}\n255\n`);
  const out = new Uint8Array(header.length + width * height * 3);
  out.set(header);
  let at = header.length;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const r2 = (x - width / 2) ** 2 + (y - height / 2) ** 2;
      const zone = 127.5 + 127.5 * Math.cos((Math.PI * r2) / width);
      const checker = y >= height / 2 - 6 && y < height / 2 + 6 ? ((x + y) & 1) * 255 : zone;
      out[at++] = Math.round(127.5 + 127.5 * Math.sin((x + 2 * y) * 0.9));
      out[at++] = Math.round(checker);
      out[at++] = Math.round(127.5 + 127.5 * Math.cos((3 * x - y) * 0.7));
    }
  }
  return out;
}

// Sizes that are not whole MCUs, so the right and bottom blocks are cut by the edge.
for (const [name, sample, width, height] of [
  ['420', '2x2', 133, 91],
  ['444', '1x1', 85, 59],
] as const) {
  const ppm = picture(width, height);
  const baseline = execFileSync('cjpeg', ['-quality', '90', '-sample', sample, '-optimize'], { input: ppm });
  const baselineFile = `${OUT}zone-${name}-baseline.jpg`;
  writeFileSync(baselineFile, baseline);
  execFileSync('jpegtran', [
    '-progressive',
    '-copy',
    'none',
    '-outfile',
    `${OUT}zone-${name}-progressive.jpg`,
    baselineFile,
  ]);
}

// The 4:2:0 progressive twin again with a restart marker after every MCU row
// (every block row in the one-component scans): the restart paths of the
// progressive scan decoders must give the same pixels.
execFileSync('jpegtran', [
  '-progressive',
  '-restart',
  '1',
  '-copy',
  'none',
  '-outfile',
  `${OUT}zone-420-progressive-restart.jpg`,
  `${OUT}zone-420-baseline.jpg`,
]);
