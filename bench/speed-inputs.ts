// The speed benchmark's inputs (bench/speed.ts): the memory benchmark's large
// files (./inputs.ts, made by ./generate.ts) plus the everyday sizes the
// speed issue names, made here with generate.ts's own picture and encoders
// into bench/out/speed-inputs/. Deterministic; reused while
// SPEED_INPUTS_VERSION is unchanged. Run on its own
// (`node --import tsx bench/speed-inputs.ts [--force]`); bench/speed.ts runs
// it in a separate process when the cache is missing or stale.

import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encodeGif, type GifEncodeFrame } from '../test/helpers/gif-encode';
import { buildPng, encodeJpeg, encodeWebp, exifTiff, gifPalette, rgba8Pixels, toIndices, withExif } from './generate';
import { photo } from '../test/fixtures/photo';
import { INPUT_DIR } from './inputs';

/** Bump when a maker below changes what it writes. */
const SPEED_INPUTS_VERSION = 1;

export const SPEED_INPUT_DIR = fileURLToPath(new URL('./out/speed-inputs/', import.meta.url));
const MANIFEST = join(SPEED_INPUT_DIR, 'manifest.json');

export interface SpeedInput {
  id: string;
  description: string;
  /** Where the file is: one of ./inputs.ts's (made by generate.ts) or one made here. */
  path: string;
}

interface OwnInput {
  id: string;
  file: string;
  description: string;
  make: () => Promise<Uint8Array>;
}

/** A 1000×872 camera JPEG: quality 92, EXIF Make/Model, Orientation 1, an IFD1 thumbnail. */
async function cameraJpeg(): Promise<Uint8Array> {
  const picture = photo(1000, 872, { seed: 21, noise: 10 });
  const jpeg = await encodeJpeg(picture, { quality: 92, progressive: false, chromaSubsample: 2 });
  const thumbnail = await encodeJpeg(photo(160, 120, { seed: 21, noise: 3 }), {
    quality: 80,
    progressive: false,
    chromaSubsample: 2,
  });
  return withExif(
    jpeg,
    exifTiff(
      [
        [0x010f, 'ascii', 'Cameracorp'],
        [0x0110, 'ascii', 'C9'],
        [0x0112, 'short', 1],
      ],
      thumbnail,
    ),
  );
}

/** A 451×300 interlaced GIF with a 256-colour-ish global palette. */
function interlacedGif(): Uint8Array {
  const picture = photo(451, 300, { seed: 31, noise: 0 });
  return encodeGif([{ width: 451, height: 300, indices: toIndices(picture, 0, 0, 451, 300), interlace: true }], {
    width: 451,
    height: 300,
    palette: gifPalette(),
  });
}

/** A 100-frame 480×360 animation: a full first frame, then 99 small moving patches (the first frame is what the gateway keeps). */
function hundredFrameGif(): Uint8Array {
  const width = 480;
  const height = 360;
  const screen = photo(width, height, { seed: 41, noise: 0 });
  const frames: GifEncodeFrame[] = [
    { width, height, indices: toIndices(screen, 0, 0, width, height), delayCs: 4, disposal: 1 },
  ];
  const patch = photo(96, 96, { seed: 42, noise: 4 });
  const indices = toIndices(patch, 0, 0, 96, 96);
  for (let i = 1; i < 100; i++) {
    frames.push({
      width: 96,
      height: 96,
      left: (i * 37) % (width - 96),
      top: (i * 23) % (height - 96),
      indices,
      delayCs: 4,
      disposal: 1,
    });
  }
  return encodeGif(frames, { width, height, palette: gifPalette(), loop: true });
}

const OWN: readonly OwnInput[] = [
  {
    id: 'jpeg-800-progressive',
    file: 'progressive-800x600.jpg',
    description: '800×600 progressive JPEG, 4:2:0, q85',
    make: () =>
      encodeJpeg(photo(800, 600, { seed: 11, noise: 8 }), { quality: 85, progressive: true, chromaSubsample: 2 }),
  },
  {
    id: 'jpeg-1000-camera',
    file: 'camera-1000x872.jpg',
    description: '1000×872 camera JPEG, 4:2:0, q92, EXIF',
    make: cameraJpeg,
  },
  {
    id: 'png-512-rgb',
    file: 'rgb-512.png',
    description: '512×512 8-bit RGB PNG',
    make: async () => {
      const picture = photo(512, 512, { seed: 51, noise: 6 });
      return buildPng({
        width: 512,
        height: 512,
        depth: 8,
        interlace: false,
        rgb: true,
        pixel: rgba8Pixels(picture, true),
      });
    },
  },
  {
    id: 'png-512-rgba',
    file: 'rgba-512.png',
    description: '512×512 8-bit RGBA PNG (smooth alpha)',
    make: async () => {
      const picture = photo(512, 512, { seed: 52, noise: 6, alpha: true });
      return buildPng({ width: 512, height: 512, depth: 8, interlace: false, pixel: rgba8Pixels(picture) });
    },
  },
  {
    id: 'webp-741',
    file: 'lossy-741x500.webp',
    description: '741×500 lossy WebP, q80',
    make: () => encodeWebp(photo(741, 500, { seed: 61, noise: 8 }), { quality: 80, lossless: false }),
  },
  {
    id: 'gif-451-interlaced',
    file: 'interlaced-451x300.gif',
    description: '451×300 interlaced GIF',
    make: async () => interlacedGif(),
  },
  {
    id: 'webp-4096x3072',
    file: 'lossy-4096x3072.webp',
    description: '4096×3072 lossy WebP, q80 (over MAX_WEBP_INPUT_PIXELS today)',
    make: () => encodeWebp(photo(4096, 3072, { seed: 62, noise: 8 }), { quality: 80, lossless: false }),
  },
  {
    id: 'gif-100-frames',
    file: 'animated-100.gif',
    description: '480×360 GIF, 100 frames',
    make: async () => hundredFrameGif(),
  },
];

const own = (id: string): SpeedInput => {
  const input = OWN.find((i) => i.id === id)!;
  return { id, description: input.description, path: join(SPEED_INPUT_DIR, input.file) };
};

/** The speed benchmark's inputs, in table order. */
export const SPEED_INPUTS: readonly SpeedInput[] = [
  {
    id: 'jpeg-12mp-o6',
    description: '4032×3024 phone JPEG, 4:2:0, EXIF Orientation 6',
    path: join(INPUT_DIR, 'phone-12mp-baseline-o6.jpg'),
  },
  { id: 'jpeg-4096', description: '4096×4096 JPEG, 4:2:0, q90', path: join(INPUT_DIR, 'max-4096-420.jpg') },
  own('jpeg-800-progressive'),
  own('jpeg-1000-camera'),
  own('png-512-rgb'),
  own('png-512-rgba'),
  own('webp-741'),
  own('gif-451-interlaced'),
  { id: 'png-4096', description: '4096×4096 8-bit RGBA PNG', path: join(INPUT_DIR, 'max-4096-rgba8.png') },
  own('webp-4096x3072'),
  own('gif-100-frames'),
];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Whether every file made here is present and matches the manifest of this version. */
export async function speedInputsAreCurrent(): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(MANIFEST, 'utf8')) as {
      version: number;
      files: Record<string, string>;
    };
    if (manifest.version !== SPEED_INPUTS_VERSION) return false;
    for (const input of OWN) {
      if (manifest.files[input.file] !== sha256(await readFile(join(SPEED_INPUT_DIR, input.file)))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  if (!process.argv.includes('--force') && (await speedInputsAreCurrent())) {
    process.stderr.write('speed inputs are up to date\n');
    return;
  }
  await mkdir(SPEED_INPUT_DIR, { recursive: true });
  const files: Record<string, string> = {};
  for (const input of OWN) {
    const bytes = await input.make();
    await writeFile(join(SPEED_INPUT_DIR, input.file), bytes);
    files[input.file] = sha256(bytes);
    process.stderr.write(`generated ${input.file}: ${(bytes.length / 1024).toFixed(0)} KiB\n`);
  }
  await writeFile(MANIFEST, `${JSON.stringify({ version: SPEED_INPUTS_VERSION, files }, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
