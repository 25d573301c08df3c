/**
 * Runs tasks one at a time, in arrival order. The image pipeline goes through
 * one of these per isolate: WebAssembly and pixel buffers for one image use
 * most of a Worker's 128 MB, so two concurrent uploads must wait, not add up.
 *
 * A waiting task is started by the promise of the one before it, so in
 * workerd it runs in that request's I/O context: tasks must be pure
 * computation and must not touch request-bound objects (bodies, streams,
 * bindings). The image pipeline is.
 */
export function createSerialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return function runSerially<T>(task: () => Promise<T>): Promise<T> {
    const result = tail.then(task, task);
    tail = result.catch(() => undefined);
    return result;
  };
}

/**
 * The isolate's one queue for image work (uploads and size variants): one
 * image's WebAssembly and pixel buffers at a time.
 */
export const runImageWork = createSerialQueue();

/**
 * Admits at most `limit` tasks at once; the others wait by polling on their
 * own timer every `pollMs`, so each task runs in its own request's I/O
 * context (it may read its body, unlike {@link createSerialQueue}'s tasks).
 * Not FIFO on purpose: a waiter whose client went away simply stops polling,
 * and nobody waits for it.
 *
 * Uploads go through one of these (limit 2: one processing, one reading its
 * body), so uploads waiting their turn hold an unread stream instead of up to
 * 10 MiB of buffered body each.
 */
export function createAdmission(limit: number, pollMs = 10): <T>(task: () => Promise<T>) => Promise<T> {
  let admitted = 0;
  return async function admit<T>(task: () => Promise<T>): Promise<T> {
    while (admitted >= limit) await new Promise((resolve) => setTimeout(resolve, pollMs));
    admitted++;
    try {
      return await task();
    } finally {
      admitted--;
    }
  };
}
