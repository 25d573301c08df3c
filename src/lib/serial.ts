/**
 * Runs tasks one at a time, in arrival order. The image pipeline goes through
 * one of these per isolate: WebAssembly and pixel buffers for one image use
 * most of a Worker's 128 MB, so two concurrent uploads must wait, not add up.
 */
export function createSerialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return function runSerially<T>(task: () => Promise<T>): Promise<T> {
    const result = tail.then(task, task);
    tail = result.catch(() => undefined);
    return result;
  };
}
