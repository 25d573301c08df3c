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
