/** How a queued task waits for the running one to end: given that wait, returns what it awaits. */
export type Park = (ticket: number, runningEnds: Promise<void>) => Promise<void>;

/**
 * Runs tasks one at a time, in arrival order. The image pipeline goes through
 * one of these per isolate: WebAssembly and pixel buffers for one image use
 * most of a Worker's 128 MB, so two concurrent uploads must wait, not add up.
 *
 * A waiting task waits on the running task only, never on another waiter. The
 * running task's request creates a promise and resolves it when the task
 * ends; every waiter awaits it, the first to wake starts its task, and the
 * others, finding one running again, wait on that one (in arrival order, as
 * they woke). In workerd a continuation is delivered to the request that
 * registered it (`handle_cross_request_promise_resolution`, on by default
 * since 2024), so each task runs in its own request's I/O context. That is
 * what makes the pipeline safe here although it is not pure computation: PNG
 * decode creates and reads a `DecompressionStream`, an I/O object, and it
 * belongs to the request whose image it inflates. A task must still not use
 * objects of another request; nor may a request resolve a promise another
 * request created (workerd refuses), which is why the running task's own
 * request owns the promise everyone waits on.
 *
 * If a waiter's request is cancelled while it waits (its client went away),
 * workerd may drop its continuation: that task never runs and its promise
 * never settles, but it holds nothing and nobody waits on it, so the tasks
 * behind it still run (test/lib/limiter.test.ts). A task that has started
 * and whose request is cancelled mid-work still holds the queue until its
 * promise settles.
 *
 * @param park how a waiter waits; tests pass one that never returns for a
 * ticket (the arrival number), as workerd does for a cancelled request.
 */
export function createSerialQueue(
  park: Park = (_ticket, runningEnds) => runningEnds,
): <T>(task: () => Promise<T>) => Promise<T> {
  /** Settles when the running task ends; undefined when none runs. */
  let running: Promise<void> | undefined;
  let nextTicket = 0;
  return async function runSerially<T>(task: () => Promise<T>): Promise<T> {
    const ticket = nextTicket++;
    while (running) await park(ticket, running);
    let end = () => {};
    running = new Promise<void>((resolve) => (end = resolve));
    try {
      return await task();
    } finally {
      running = undefined;
      end();
    }
  };
}

/**
 * The isolate's one queue for image work (uploads and size variants): one
 * image's WebAssembly and pixel buffers at a time.
 */
export const runImageWork = createSerialQueue();
