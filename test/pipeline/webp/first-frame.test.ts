import { describe, expect, it } from 'vitest';
import { extractFirstWebpFrame, isAnimatedWebp } from '../../../src/pipeline/webp/first-frame';
import { probeImage } from '../../../src/pipeline/probe';
import { assertComplete } from '../../../src/pipeline/structure';
import {
  alphPayload,
  ANIM,
  animatedWebp,
  anmfPayload,
  vp8lPayload,
  vp8Payload,
  VP8X_ALPHA,
  VP8X_ANIMATION,
  vp8xPayload,
  webpFile,
} from '../../fixtures/containers';
import { ascii, bytes } from '../../fixtures/bytes';
import { riffChunk } from '../../fixtures/webp';
import { nonPipelineError, prefixes, thrownCode } from '../../helpers/pipeline-error';

/** The chunk FourCCs of a WebP file, in order. */
function fourccs(webp: Uint8Array): string[] {
  const out: string[] = [];
  const view = new DataView(webp.buffer, webp.byteOffset, webp.byteLength);
  for (let at = 12; at + 8 <= webp.length;) {
    out.push(String.fromCharCode(...webp.subarray(at, at + 4)));
    const size = view.getUint32(at + 4, true);
    at += 8 + size + (size % 2);
  }
  return out;
}

function containsBytes(haystack: Uint8Array, needle: ArrayLike<number>): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

describe('extractFirstWebpFrame', () => {
  it('wraps ALPH + VP8 into VP8X + ALPH + VP8, with the doubled offset', () => {
    const frame = extractFirstWebpFrame(animatedWebp());
    expect(frame).toMatchObject({ canvasWidth: 20, canvasHeight: 10, x: 4, y: 2 });
    expect(fourccs(frame.still)).toEqual(['VP8X', 'ALPH', 'VP8 ']);
    expect(probeImage(frame.still)).toEqual({
      format: 'webp',
      width: 6,
      height: 5,
      orientation: 1,
      frames: 1,
      hasAlpha: true,
    });
    expect(thrownCode(() => assertComplete(frame.still, 'webp'))).toBe('none');
    expect(containsBytes(frame.still, vp8Payload(6, 5))).toBe(true);
    expect(containsBytes(frame.still, alphPayload())).toBe(true);
  });

  it('wraps a VP8L frame into a simple lossless file', () => {
    const webp = webpFile(
      riffChunk('VP8X', vp8xPayload(VP8X_ANIMATION, 96, 64)),
      ANIM,
      riffChunk('ANMF', anmfPayload(10, 20, 30, 40, riffChunk('VP8L', vp8lPayload(30, 40, true)))),
      riffChunk('ANMF', anmfPayload(0, 0, 96, 64, riffChunk('VP8 ', vp8Payload(96, 64)))),
    );
    const frame = extractFirstWebpFrame(webp);
    expect(frame).toMatchObject({ canvasWidth: 96, canvasHeight: 64, x: 10, y: 20 });
    expect(fourccs(frame.still)).toEqual(['VP8L']);
    expect(frame.still.subarray(20)).toEqual(Uint8Array.from(vp8lPayload(30, 40, true)));
    expect(probeImage(frame.still)).toMatchObject({ width: 30, height: 40, hasAlpha: true, frames: 1 });
  });

  it('wraps a lone VP8 frame into a simple lossy file, padding an odd payload', () => {
    const payload = [...vp8Payload(8, 8), 0x77];
    const webp = webpFile(
      riffChunk('VP8X', vp8xPayload(VP8X_ANIMATION, 8, 8)),
      ANIM,
      riffChunk('ANMF', anmfPayload(0, 0, 8, 8, riffChunk('VP8 ', payload))),
    );
    const { still } = extractFirstWebpFrame(webp);
    expect(fourccs(still)).toEqual(['VP8 ']);
    expect(still.length % 2).toBe(0);
    expect(new DataView(still.buffer).getUint32(4, true)).toBe(still.length - 8);
    expect(thrownCode(() => assertComplete(still, 'webp'))).toBe('none');
  });

  it('skips unknown chunks before the first frame', () => {
    const webp = webpFile(
      riffChunk('VP8X', vp8xPayload(VP8X_ANIMATION | VP8X_ALPHA, 4, 4)),
      riffChunk('ICCP', ascii('icc')),
      ANIM,
      riffChunk('ANMF', anmfPayload(2, 2, 2, 2, riffChunk('VP8L', vp8lPayload(2, 2)))),
    );
    expect(extractFirstWebpFrame(webp)).toMatchObject({ x: 2, y: 2, canvasWidth: 4, canvasHeight: 4 });
  });

  it.each([
    { name: 'a simple lossy file', webp: webpFile(riffChunk('VP8 ', vp8Payload(4, 4))) },
    {
      name: 'an extended still',
      webp: webpFile(riffChunk('VP8X', vp8xPayload(0, 2, 2)), riffChunk('VP8L', vp8lPayload(2, 2))),
    },
    { name: 'an animation without frames', webp: webpFile(riffChunk('VP8X', vp8xPayload(VP8X_ANIMATION, 2, 2)), ANIM) },
    {
      name: 'a frame outside the canvas',
      webp: webpFile(
        riffChunk('VP8X', vp8xPayload(VP8X_ANIMATION, 4, 4)),
        ANIM,
        riffChunk('ANMF', anmfPayload(4, 0, 2, 2, riffChunk('VP8L', vp8lPayload(2, 2)))),
      ),
    },
    {
      name: 'a frame without image data',
      webp: webpFile(
        riffChunk('VP8X', vp8xPayload(VP8X_ANIMATION, 4, 4)),
        ANIM,
        riffChunk('ANMF', anmfPayload(0, 0, 2, 2, riffChunk('JUNK', [1]))),
      ),
    },
    { name: 'not a WebP', webp: bytes(ascii('GIF89a')) },
  ])('throws invalid_image for $name', ({ webp }) => {
    expect(thrownCode(() => extractFirstWebpFrame(webp))).toBe('invalid_image');
  });

  it('never throws anything but a PipelineError on a truncated file', () => {
    for (const prefix of prefixes(animatedWebp())) {
      expect(
        nonPipelineError(() => extractFirstWebpFrame(prefix)),
        `length ${prefix.length}`,
      ).toBeUndefined();
    }
  });
});

describe('isAnimatedWebp', () => {
  it.each([
    { name: 'an animation', webp: animatedWebp(), animated: true },
    {
      name: 'a one-frame animation',
      webp: webpFile(
        riffChunk('VP8X', vp8xPayload(VP8X_ANIMATION, 2, 2)),
        ANIM,
        riffChunk('ANMF', anmfPayload(0, 0, 2, 2, riffChunk('VP8L', vp8lPayload(2, 2)))),
      ),
      animated: true,
    },
    {
      name: 'an extended still',
      webp: webpFile(riffChunk('VP8X', vp8xPayload(0, 2, 2)), riffChunk('VP8L', vp8lPayload(2, 2))),
      animated: false,
    },
    { name: 'a simple lossless file', webp: webpFile(riffChunk('VP8L', vp8lPayload(2, 2))), animated: false },
    { name: 'garbage', webp: bytes(ascii('RIFF')), animated: false },
  ])('$name: $animated', ({ webp, animated }) => {
    expect(isAnimatedWebp(webp)).toBe(animated);
  });
});
