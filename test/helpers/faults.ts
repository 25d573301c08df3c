/**
 * Wraps a real binding so chosen calls fail: `plan.put = [2]` makes the
 * second `put` throw. `plan['batch:after'] = [1]` lets the first `batch` run
 * and then rejects (a lost response after a commit). Every other call goes to
 * the real local R2 or D1.
 */
export interface FaultPlan {
  [method: string]: number[] | undefined;
}

export interface Faulty<T> {
  binding: T;
  /** How many times each method was called. */
  calls: Record<string, number>;
}

export function withFaults<T extends object>(real: T, plan: FaultPlan): Faulty<T> {
  const calls: Record<string, number> = {};
  const binding = new Proxy(real, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls[property] = (calls[property] ?? 0) + 1;
        // Thrown, not returned as a rejected promise: `prepare` is synchronous, and a
        // rejected promise nobody awaits would surface as an unhandled rejection.
        if (plan[property]?.includes(calls[property]!)) {
          throw new Error(`injected ${property} failure #${calls[property]}`);
        }
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (plan[`${property}:after`]?.includes(calls[property]!)) {
          return Promise.resolve(result).then(() => {
            throw new Error(`injected ${property} failure after success #${calls[property]}`);
          });
        }
        return result;
      };
    },
  });
  return { binding, calls };
}
