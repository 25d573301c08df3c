import { describe, expect, it } from 'vitest';
import { FORMATS, formatSpec, matchMagic } from '../../src/pipeline/formats';
import { checkLimits, MAX_FULL_FRAME_INPUT_PIXELS } from '../../src/pipeline/limits';
import type { ImageHeader } from '../../src/pipeline/types';
import { ascii, bytes } from '../fixtures/bytes';
import { makeJpeg, makePng, vp8lPayload, webpFile } from '../fixtures/containers';
import { riffChunk } from '../fixtures/webp';
import { thrownCode } from '../helpers/pipeline-error';

describe('the format registry', () => {
  it('names each format once and finds every entry by its name', () => {
    const names = FORMATS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const format of FORMATS) expect(formatSpec(format.name)).toBe(format);
  });

  it.each([
    { input: makeJpeg(), format: 'jpeg' },
    { input: makePng(), format: 'png' },
    { input: webpFile(riffChunk('VP8L', vp8lPayload(1, 1))), format: 'webp' },
    { input: bytes(ascii('GIF89a'), 1, 0, 1, 0), format: 'gif' },
  ])('matches $format by its magic bytes, and its probe reads it as $format', ({ input, format }) => {
    const spec = matchMagic(input);
    expect(spec?.name).toBe(format);
    if (format !== 'gif') expect(spec!.probe(input).format).toBe(format);
  });

  it('treats RIFF size bytes as wildcards but not the form type', () => {
    expect(matchMagic(bytes(ascii('RIFF'), 0xde, 0xad, 0xbe, 0xef, ascii('WEBP')))?.name).toBe('webp');
    expect(matchMagic(bytes(ascii('RIFF'), 0xde, 0xad, 0xbe, 0xef, ascii('WAVE')))).toBeUndefined();
  });
});

describe('checkLimits and fullFrameDecode', () => {
  const limits = { maxWidth: 16384, maxHeight: 16384, maxFrames: 10 };
  const over = Math.ceil(Math.sqrt(MAX_FULL_FRAME_INPUT_PIXELS)) + 1;
  const header = (format: ImageHeader['format']): ImageHeader => ({
    format,
    width: over,
    height: over,
    orientation: 1,
    frames: 1,
    hasAlpha: false,
  });

  it.each(FORMATS.map((f) => ({ name: f.name, fullFrame: f.fullFrameDecode })))(
    '$name over MAX_FULL_FRAME_INPUT_PIXELS: refused only when decoded as a full frame ($fullFrame)',
    ({ name, fullFrame }) => {
      expect(thrownCode(() => checkLimits(header(name), limits))).toBe(fullFrame ? 'dimensions_exceeded' : 'none');
    },
  );

  it('WebP is the format decoded as a full frame today', () => {
    expect(FORMATS.filter((f) => f.fullFrameDecode).map((f) => f.name)).toEqual(['webp']);
  });
});
