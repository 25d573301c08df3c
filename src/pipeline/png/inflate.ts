import { PipelineError } from '../errors';

/**
 * Input is written to the inflater in slices of at most this many bytes:
 * deflate expands at most ~1032:1, so one slice can never make the runtime
 * buffer more than a few MB of output, whatever it does with backpressure.
 * workerd does none (a write inflates all of its input at once and keeps the
 * output until it is read), so the next slice is only written once the
 * output of the last one has been read.
 */
const SLICE_BYTES = 4096;

/**
 * The last bytes of the stream are written one at a time. The runtime's
 * inflater fails a whole write, output included, when that write holds a bad
 * Adler-32 (RFC 1950 §2.2) or bytes after the end of the stream, and it only
 * sees them once the last rows are in: byte by byte, those rows come out
 * before the bad bytes are written, and the reader stops before writing them
 * (as the reference decoder, which ignores the checksum, accepts such files).
 */
const TAIL_BYTES = 64;

/**
 * Bytes per read where the runtime reads into the caller's buffer (a BYOB
 * reader: workerd, whose own reads are 4 KiB). A read that comes back
 * shorter has taken everything the inflater held: workerd fills a BYOB read
 * from all it holds, which the bomb bound relies on, and "writes the next
 * slice only once the output of the last one has been read" in
 * test/pipeline/png/decoder.test.ts checks in workerd itself. (Waiting a turn
 * before every write instead would not rely on it, but a turn costs about a
 * millisecond in workerd: a 4096² PNG's upload went from ~1.5 to 3.6 s.)
 */
const READ_BYTES = 64 * 1024;

const CORRUPT = 'PNG image data is corrupt';
const SHORT = 'PNG image data is too short';

type Reader = ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader;

/**
 * Reads a zlib stream (RFC 1950) through the runtime's `DecompressionStream`,
 * writing input only while output is wanted and the runtime holds none, so a
 * stream that inflates to gigabytes costs no more than what {@link read} asks
 * for plus one slice's output. Call {@link close} when done, whether or not
 * the stream was read to its end.
 */
export class ZlibReader {
  private readonly input: Iterator<Uint8Array>;
  // Typed from the stream itself: workerd's and the DOM's declarations of the writable side differ.
  private readonly writer: ReturnType<DecompressionStream['writable']['getWriter']>;
  private readonly reader: Reader;
  /** The buffer the next BYOB read fills (each read hands it back); undefined for a default reader. */
  private readBuffer: ArrayBuffer | undefined;
  /** The write (or close) in flight; it never rejects (errors surface on the read side). */
  private writing: Promise<void> | undefined;
  private inputDone = false;
  /** Why a write failed, when it did. */
  private failure: unknown;
  /** Whether the last read may have left output in the runtime: it came back full. */
  private mayHoldMore = false;
  /** The largest chunk a default reader has returned: a chunk that size counts as full. */
  private largestChunk = 0;
  private chunk: Uint8Array = new Uint8Array(0);
  private offset = 0;

  constructor(parts: readonly Uint8Array[]) {
    const stream = new DecompressionStream('deflate');
    this.writer = stream.writable.getWriter();
    const byob = byobReader(stream.readable);
    this.reader = byob ?? stream.readable.getReader();
    if (byob !== undefined) this.readBuffer = new ArrayBuffer(READ_BYTES);
    this.input = inputSlices(parts);
  }

  /**
   * Fills `into` with the next inflated bytes.
   * @throws invalid_image when the stream is corrupt or ends first.
   */
  async read(into: Uint8Array): Promise<void> {
    let filled = 0;
    while (filled < into.length) {
      if (this.offset === this.chunk.length) {
        this.chunk = await this.pull();
        this.offset = 0;
      }
      const n = Math.min(into.length - filled, this.chunk.length - this.offset);
      into.set(this.chunk.subarray(this.offset, this.offset + n), filled);
      filled += n;
      this.offset += n;
    }
  }

  /** Stops inflating and releases the stream; never throws. */
  async close(): Promise<void> {
    this.inputDone = true;
    await this.reader.cancel().catch(() => undefined);
    await this.writer.abort().catch(() => undefined);
  }

  /**
   * The next non-empty output chunk. Input is written only while a read is
   * waiting and the runtime holds no output: after a full read it may hold
   * more, so before the next write that read gets the rest of the event
   * loop's turn to take it.
   */
  private async pull(): Promise<Uint8Array> {
    for (;;) {
      const pending = this.readOnce();
      let result: ReadableStreamReadResult<Uint8Array> | undefined;
      try {
        while (result === undefined) {
          if (this.mayHoldMore && this.writing === undefined) {
            // Before a new write: the last read came back full, so let this one take what is held.
            this.mayHoldMore = false;
            result = await beforeNextTurn(pending);
            continue;
          }
          const fed = this.feed();
          result = fed === undefined ? await pending : await Promise.race([pending, fed.then(() => undefined)]);
          if (result === undefined && this.failure !== undefined) throw this.failure;
        }
      } catch (error) {
        throw new PipelineError('invalid_image', CORRUPT, { cause: error });
      }
      if (result.done) throw new PipelineError('invalid_image', SHORT);
      const n = result.value.length;
      if (this.readBuffer !== undefined) {
        this.readBuffer = result.value.buffer as ArrayBuffer;
        this.mayHoldMore = n === READ_BYTES;
      } else {
        this.largestChunk = Math.max(this.largestChunk, n);
        this.mayHoldMore = n === this.largestChunk;
      }
      if (n > 0) return result.value;
    }
  }

  /** One read: into {@link readBuffer} (transferred to the runtime until the read settles), or the runtime's own chunk. */
  private readOnce(): Promise<ReadableStreamReadResult<Uint8Array>> {
    if (this.readBuffer === undefined) return (this.reader as ReadableStreamDefaultReader<Uint8Array>).read();
    const into = new Uint8Array(this.readBuffer);
    return (this.reader as ReadableStreamBYOBReader).read(into) as Promise<ReadableStreamReadResult<Uint8Array>>;
  }

  /** Starts the next write, or returns the one still in flight; undefined once input is closed. */
  private feed(): Promise<void> | undefined {
    if (this.writing !== undefined) return this.writing;
    if (this.inputDone) return undefined;
    const next = this.input.next();
    const write = next.done ? this.writer.close() : this.writer.write(next.value as Uint8Array<ArrayBuffer>);
    if (next.done) this.inputDone = true;
    this.writing = write.then(
      () => {
        this.writing = undefined;
      },
      (error: unknown) => {
        this.failure = error ?? new Error('write failed');
        this.inputDone = true;
        this.writing = undefined;
      },
    );
    return this.writing;
  }
}

/**
 * The zlib stream in `parts` (a PNG's IDAT chunks) as the slices it is written
 * in: SLICE_BYTES at a time across part boundaries (a file of thousands of
 * tiny IDAT chunks costs no more writes than one big one), then the last
 * TAIL_BYTES one byte at a time. A slice within one part is a view of it,
 * one that spans parts a copy.
 */
export function* inputSlices(parts: readonly Uint8Array[]): Generator<Uint8Array> {
  const total = parts.reduce((n, part) => n + part.length, 0);
  let part = 0;
  let offset = 0;
  const take = (n: number): Uint8Array => {
    while (offset === parts[part]!.length) [part, offset] = [part + 1, 0];
    const current = parts[part]!;
    if (current.length - offset >= n) return current.subarray(offset, (offset += n));
    const out = new Uint8Array(n);
    for (let filled = 0; filled < n;) {
      while (offset === parts[part]!.length) [part, offset] = [part + 1, 0];
      const from = parts[part]!;
      const count = Math.min(n - filled, from.length - offset);
      out.set(from.subarray(offset, offset + count), filled);
      filled += count;
      offset += count;
    }
    return out;
  };
  const body = Math.max(0, total - TAIL_BYTES);
  for (let at = 0; at < body; at += SLICE_BYTES) yield take(Math.min(SLICE_BYTES, body - at));
  for (let at = body; at < total; at++) yield take(1);
}

/** A reader that reads into buffers of our own, where the runtime offers one (a byte stream: workerd). */
function byobReader(readable: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | undefined {
  try {
    return readable.getReader({ mode: 'byob' });
  } catch {
    return undefined; // Node: DecompressionStream's readable is not a byte stream.
  }
}

/**
 * `pending`'s result if it settles within the event loop's current turn, else
 * undefined: output the runtime already holds is delivered within it.
 * `setImmediate` where there is one (Node, and workerd with nodejs_compat;
 * Node's `setTimeout(0)` waits a whole millisecond), else `setTimeout(0)`.
 */
async function beforeNextTurn<T>(pending: Promise<T>): Promise<T | undefined> {
  let cancel = (): void => undefined;
  const turn = new Promise<undefined>((resolve) => {
    if (typeof setImmediate === 'function') {
      const immediate = setImmediate(resolve, undefined);
      cancel = () => clearImmediate(immediate);
    } else {
      const timer = setTimeout(resolve, 0, undefined);
      cancel = () => clearTimeout(timer);
    }
  });
  try {
    return await Promise.race([pending, turn]);
  } finally {
    cancel();
  }
}
