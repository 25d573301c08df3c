import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../src/lib/errors';
import { seededRandom } from './fixtures/bytes';
import { withDeclaredSize as withJpegSize } from './fixtures/jpeg';
import { makeFixtures, type AcceptedFixture } from './fixtures/make';
import { withDeclaredSize as withPngSize } from './fixtures/png';
import { keyOf, objectBytes, tokenFor, upload, type ImageJson } from './helpers/api';
import { assertNoMetadata } from './helpers/webp-inspect';

/** Seeded, so a failure names a case that can be replayed exactly. */
const SEED = 20261129;
const MUTATIONS_PER_FIXTURE = 16;

type Mutation = (bytes: Uint8Array, random: () => number, other: Uint8Array) => Uint8Array;

const pick = (random: () => number, n: number) => Math.floor(random() * n);

/** Declares a huge size in whatever header the format has (a decompression-bomb header). */
function inflateDeclaredSize(bytes: Uint8Array, random: () => number): Uint8Array {
  const side = [4097, 20000, 65535][pick(random, 3)]!;
  if (bytes[0] === 0xff) return withJpegSize(bytes, side, side);
  if (bytes[0] === 0x89) return withPngSize(bytes, side, side);
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  if (out[0] === 0x47) {
    view.setUint16(6, side, true); // GIF logical screen
    view.setUint16(8, side, true);
  } else if (out.length > 30) {
    // WebP, whatever its kind: bytes 24 and 27 hold an extended (VP8X) file's canvas width and height
    // minus one (24-bit; the low 16 bits suffice). A simple VP8 or VP8L file has no canvas: there the
    // same bytes land in the bitstream header, so the patch corrupts that header instead.
    view.setUint16(24, side - 1, true);
    view.setUint16(27, side - 1, true);
  }
  return out;
}

const MUTATIONS: Record<string, Mutation> = {
  truncate: (b, r) => b.slice(0, pick(r, b.length)),
  flipBits: (b, r) => {
    const out = b.slice();
    for (let i = 1 + pick(r, 8); i > 0; i--) out[pick(r, out.length)]! ^= 1 << pick(r, 8);
    return out;
  },
  flipHeaderBits: (b, r) => {
    const out = b.slice();
    for (let i = 1 + pick(r, 4); i > 0; i--) out[pick(r, Math.min(out.length, 64))]! ^= 1 << pick(r, 8);
    return out;
  },
  spliceHeader: (b, r, other) => {
    const cut = 8 + pick(r, 56);
    const out = new Uint8Array(b.length);
    out.set(other.subarray(0, Math.min(cut, other.length)));
    out.set(b.subarray(Math.min(cut, other.length)), Math.min(cut, other.length));
    return out;
  },
  inflateDeclaredSize: (b, r) => inflateDeclaredSize(b, r),
  appendTrailer: (b, r) => {
    const tail = Uint8Array.from({ length: 1 + pick(r, 4096) }, () => pick(r, 256));
    const out = new Uint8Array(b.length + tail.length);
    out.set(b);
    out.set(tail, b.length);
    return out;
  },
};

const KNOWN_CODES = new Set(Object.keys(ERROR_STATUS));

/** One mutated upload: which fixture, which mutation, and the bytes it made. */
interface FuzzCase {
  label: string;
  fixture: AcceptedFixture;
  input: Uint8Array;
}

/** The cases, drawn from one seeded stream in a fixed order, so each label replays exactly. */
function fuzzCases(accepted: AcceptedFixture[]): FuzzCase[] {
  const random = seededRandom(SEED);
  const names = Object.keys(MUTATIONS);
  const cases: FuzzCase[] = [];
  for (const [i, fixture] of accepted.entries()) {
    const other = accepted[(i + 1) % accepted.length]!.bytes;
    for (let m = 0; m < MUTATIONS_PER_FIXTURE; m++) {
      const mutation = names[pick(random, names.length)]!;
      const input = MUTATIONS[mutation]!(fixture.bytes, random, other);
      cases.push({ label: `${fixture.name} #${m} ${mutation} (seed ${SEED})`, fixture, input });
    }
  }
  return cases;
}

const { accepted } = await makeFixtures();

describe(`seeded fuzz of every fixture through the gateway: ${MUTATIONS_PER_FIXTURE} mutations per accepted fixture`, () => {
  const outcomes: Record<string, number> = {};

  it.each(fuzzCases(accepted))(
    '$label: 201 with clean output or a known 4xx, never 5xx',
    async ({ label, fixture, input }) => {
      const token = await tokenFor('fuzzer');
      const response = await upload('/images', input, { token, contentType: fixture.contentType });
      expect(response.status, label).toBeLessThan(500);
      if (response.status === 201) {
        const image = (await response.json()) as ImageJson;
        for (const url of [image.url, image.thumb_url]) assertNoMetadata((await objectBytes(keyOf(url)))!);
        outcomes['201'] = (outcomes['201'] ?? 0) + 1;
      } else {
        const body = (await response.json()) as { error: { code: string } };
        expect(KNOWN_CODES.has(body.error.code), `${label}: code ${body.error.code}`).toBe(true);
        expect(ERROR_STATUS[body.error.code as keyof typeof ERROR_STATUS], label).toBe(response.status);
        outcomes[body.error.code] = (outcomes[body.error.code] ?? 0) + 1;
      }
    },
  );

  it('the mix exercised both sides (else the fuzz proves little), and the gateway still works afterwards', async () => {
    expect(outcomes['201']).toBeGreaterThan(10);
    expect(outcomes['invalid_image']).toBeGreaterThan(10);
    const valid = accepted.find((f) => f.name === 'phone.jpg')!;
    const token = await tokenFor('fuzzer');
    expect((await upload('/images', valid.bytes, { token, contentType: 'image/jpeg' })).status).toBe(201);
  });
});
