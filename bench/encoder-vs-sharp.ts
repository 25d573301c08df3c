// The WebP encoder alone against sharp's (native libwebp) on the same RGB pixels,
// same settings (q85, effort/method 4), alternating, medians:
// `node --import tsx bench/encoder-vs-sharp.ts [--modules DIR] [--low-memory 0|1] [--rounds N]`.
import sharp from 'sharp';
import { createCodecs } from '../src/codecs/libwebp';
import { nodeCodecModules } from '../src/codecs/node';
import { ENCODE_SETTINGS } from '../src/pipeline/encode';
import { photo } from '../test/fixtures/photo';

const argument = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const dir = argument('--modules'); // another build of libwebp's two modules; default: the committed ones
const rounds = Number(argument('--rounds') ?? 5);
const lowMemory = (argument('--low-memory') ?? (ENCODE_SETTINGS.opaque.lowMemory ? '1' : '0')) === '1';
// The libwebp modules under test (the row filter, not measured here, is the repository's).
const codecs = createCodecs(await nodeCodecModules(dir));
sharp.concurrency(1);
sharp.cache(false);

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
const pictures = [
  { name: '1536×2048 noise 8', picture: photo(1536, 2048, { seed: 11, noise: 8 }) },
  { name: '512×512 noise 4', picture: photo(512, 512, { seed: 12, noise: 4 }) },
];
const settings = { ...ENCODE_SETTINGS.opaque, lowMemory, quality: 85 };
for (const { name, picture } of pictures) {
  const rgb = Buffer.alloc(picture.width * picture.height * 3);
  for (let i = 0, o = 0; i < picture.data.length; i += 4, o += 3) {
    rgb[o] = picture.data[i]!;
    rgb[o + 1] = picture.data[i + 1]!;
    rgb[o + 2] = picture.data[i + 2]!;
  }
  const raw = { width: picture.width, height: picture.height, channels: 3 as const };
  const ours = () => codecs.encodeWebp(picture, settings);
  const theirs = () => sharp(rgb, { raw }).webp({ quality: 85, effort: 4 }).toBuffer();
  let a = await ours();
  let b = await theirs();
  const ta: number[] = [];
  const tb: number[] = [];
  const ca: number[] = [];
  const cb: number[] = [];
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    let c = process.cpuUsage();
    a = await ours();
    ta.push(performance.now() - t);
    ca.push(cpuMs(c));
    t = performance.now();
    c = process.cpuUsage();
    b = await theirs();
    tb.push(performance.now() - t);
    cb.push(cpuMs(c));
  }
  console.log(
    `${name} low_memory=${lowMemory ? 1 : 0}: ours ${median(ta).toFixed(0)} ms (CPU ${median(ca).toFixed(0)}) ${a.length} B, ` +
      `sharp ${median(tb).toFixed(0)} ms (CPU ${median(cb).toFixed(0)}) ${b.length} B, ` +
      `ratio ${(median(ta) / median(tb)).toFixed(2)}, CPU ratio ${(median(ca) / median(cb)).toFixed(2)}`,
  );
}
