/**
 * The bytes `[offset, offset + length)` of a byte stream, streamed: nothing
 * before `offset` is kept, and the source is cancelled once `length` bytes
 * have passed, so a `Range` answered from a whole cached object never buffers it.
 */
export function sliceStream(
  body: ReadableStream<Uint8Array>,
  offset: number,
  length: number,
): ReadableStream<Uint8Array> {
  const end = offset + length;
  let position = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const from = Math.max(offset - position, 0);
        const to = Math.min(end - position, chunk.byteLength);
        position += chunk.byteLength;
        if (to > from) controller.enqueue(chunk.subarray(from, to));
        if (position >= end) controller.terminate();
      },
    }),
  );
}
