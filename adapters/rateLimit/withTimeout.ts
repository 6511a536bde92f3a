/**
 * Settles like `work`, or rejects after `ms` if `work` has not settled by
 * then. `work` goes on running; a late rejection is swallowed, a late value
 * dropped. The pg pool has no query timeout of its own and waits forever
 * for a connection to a server that does not answer.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;

  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  work.catch(() => undefined);

  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
