import { describe, expect, it } from 'vitest';
import { sniffFormat } from '../../src/pipeline/sniff';
import { ascii, bytes } from '../fixtures/bytes';
import { makeJpeg, makePng, vp8lPayload, webpFile } from '../fixtures/containers';
import { riffChunk } from '../fixtures/webp';
import { thrownCode } from '../helpers/pipeline-error';

describe('sniffFormat', () => {
  it.each([
    { name: 'JPEG', input: makeJpeg(), format: 'jpeg' },
    { name: 'JPEG, bare SOI + marker', input: bytes(0xff, 0xd8, 0xff), format: 'jpeg' },
    { name: 'PNG', input: makePng(), format: 'png' },
    { name: 'WebP', input: webpFile(riffChunk('VP8L', vp8lPayload(1, 1))), format: 'webp' },
    { name: 'GIF87a', input: bytes(ascii('GIF87a'), 1, 0, 1, 0), format: 'gif' },
    { name: 'GIF89a', input: bytes(ascii('GIF89a'), 1, 0, 1, 0), format: 'gif' },
  ])('detects $name', ({ input, format }) => {
    expect(sniffFormat(input)).toBe(format);
  });

  it.each([
    { name: 'empty', input: bytes() },
    { name: 'one byte of JPEG', input: bytes(0xff) },
    { name: 'SOI without a following marker', input: bytes(0xff, 0xd8, 0x00) },
    { name: 'PNG signature cut to 7 bytes', input: bytes(0x89, ascii('PNG'), 0x0d, 0x0a, 0x1a) },
    { name: 'SVG', input: bytes(ascii('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')) },
    { name: 'SVG with XML prolog', input: bytes(ascii('<?xml version="1.0"?><svg/>')) },
    { name: 'HTML', input: bytes(ascii('<!DOCTYPE html><html><body>hi</body></html>')) },
    { name: 'script', input: bytes(ascii('#!/bin/sh\nrm -rf /\n')) },
    { name: 'HEIC (ftyp heic)', input: bytes(0, 0, 0, 0x18, ascii('ftypheic'), 0, 0, 0, 0, ascii('mif1heic')) },
    { name: 'AVIF (ftyp avif)', input: bytes(0, 0, 0, 0x1c, ascii('ftypavif'), 0, 0, 0, 0, ascii('avifmif1miaf')) },
    { name: 'TIFF little-endian', input: bytes(ascii('II*\0'), 8, 0, 0, 0) },
    { name: 'TIFF big-endian', input: bytes(ascii('MM\0*'), 0, 0, 0, 8) },
    { name: 'BMP', input: bytes(ascii('BM'), 0x3e, 0, 0, 0, 0, 0, 0, 0) },
    { name: 'RIFF WAVE', input: bytes(ascii('RIFF'), 4, 0, 0, 0, ascii('WAVE')) },
    { name: 'RIFF without form type', input: bytes(ascii('RIFF'), 4, 0, 0, 0) },
    { name: 'GIF88a', input: bytes(ascii('GIF88a'), 1, 0, 1, 0) },
    { name: 'random bytes', input: Uint8Array.from({ length: 64 }, (_, i) => (i * 73 + 11) & 0xff) },
  ])('rejects $name as unsupported_media_type', ({ input }) => {
    expect(thrownCode(() => sniffFormat(input))).toBe('unsupported_media_type');
  });
});
