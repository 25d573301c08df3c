const MAX_CODE_BITS = 12;
const TABLE_SIZE = 1 << MAX_CODE_BITS;

/**
 * GIF's variable-length LZW decoder (GIF89a Appendix F): codes are read
 * LSB-first, start at minCodeSize + 1 bits and grow to 12; a clear code resets
 * the table; a full table keeps 12-bit codes until the next clear.
 *
 * Writes at most `out.length` indices into `out` and stops early, without
 * error, at the end code, at the end of the data or at a code that cannot
 * occur in a valid stream. Returns how many indices were written. Never
 * throws and never loops without consuming input. (Indices go straight into
 * the array, not through a callback per index: a call per pixel is most of
 * the decode's cost until V8 has optimised and inlined it, which takes
 * several images.)
 */
export function decodeLzw(data: Uint8Array, minCodeSize: number, out: Uint8Array): number {
  const maxOutput = out.length;
  const clearCode = 1 << minCodeSize;
  const endCode = clearCode + 1;
  const prefix = new Uint16Array(TABLE_SIZE);
  const suffix = new Uint8Array(TABLE_SIZE);
  const stack = new Uint8Array(TABLE_SIZE + 1);
  for (let i = 0; i < clearCode; i++) suffix[i] = i;

  let codeSize = minCodeSize + 1;
  let nextCode = endCode + 1;
  let previous = -1;
  let firstOfPrevious = 0;
  let bitBuffer = 0;
  let bitCount = 0;
  let bytePos = 0;
  let emitted = 0;

  while (emitted < maxOutput) {
    while (bitCount < codeSize && bytePos < data.length) {
      bitBuffer |= data[bytePos++]! << bitCount;
      bitCount += 8;
    }
    if (bitCount < codeSize) break;
    const code = bitBuffer & ((1 << codeSize) - 1);
    bitBuffer >>>= codeSize;
    bitCount -= codeSize;

    if (code === clearCode) {
      codeSize = minCodeSize + 1;
      nextCode = endCode + 1;
      previous = -1;
      continue;
    }
    if (code === endCode) break;
    if (previous === -1) {
      if (code > clearCode) break;
      out[emitted++] = code;
      previous = code;
      firstOfPrevious = code;
      continue;
    }
    if (code > nextCode) break;

    // Walk the string for `code` backwards into the stack; the KwKwK case
    // (code not yet in the table) is the previous string plus its first byte.
    let sp = 0;
    let walk = code;
    if (code === nextCode) {
      stack[sp++] = firstOfPrevious;
      walk = previous;
    }
    while (walk > endCode) {
      stack[sp++] = suffix[walk]!;
      walk = prefix[walk]!;
    }
    stack[sp++] = walk;
    firstOfPrevious = walk;
    while (sp > 0 && emitted < maxOutput) out[emitted++] = stack[--sp]!;

    if (nextCode < TABLE_SIZE) {
      prefix[nextCode] = previous;
      suffix[nextCode] = firstOfPrevious;
      nextCode++;
      if (nextCode === 1 << codeSize && codeSize < MAX_CODE_BITS) codeSize++;
    }
    previous = code;
  }
  return emitted;
}
