/**
 * Runs tasks one at a time, in arrival order. The image pipeline goes through
 * one of these per isolate: WebAssembly and pixel buffers for one image use
 * most of a Worker's 128 MB, so two concurrent uploads must wait, not add up.
 *
 * A waiting task is started when the promise of the one before it settles,
 * in that earlier request. In workerd that continuation is delivered to the
 * request that queued the task (`handle_cross_request_promise_resolution`,
 * on by default since 2024), so each task runs in its own request's I/O
 * context. That is what makes the pipeline safe here although it is not pure
 * computation: PNG decode creates and reads a `DecompressionStream`, an I/O
 * object, and it belongs to the request whose image it inflates, never to the
 * one that happened to finish first. A task must still not use objects of
 * another request. Not covered by a test: if the queuing request is
 * cancelled while it waits (its client went away), workerd says it cancels
 * that continuation; then the task never runs, its promise never settles, and
 * the tasks queued after it would wait behind it for the isolate's life.
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
