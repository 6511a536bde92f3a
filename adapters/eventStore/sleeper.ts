/**
 * One sleep at a time that can be cut short: by `wake()` when it is
 * wakeable (new events may be there), by `end()` always (closing). The
 * event store's subscription and the request log projector wait this way.
 */
export type Sleeper = {
  sleep(ms: number, wakeable: boolean): Promise<void>;
  /** Ends the sleep under way if it is wakeable. */
  wake(): void;
  /** Ends the sleep under way, whatever it is. */
  end(): void;
};

export function createSleeper(): Sleeper {
  let current: { end(): void; wakeable: boolean } | null = null;
  return {
    sleep: (ms, wakeable) =>
      new Promise<void>((resolve) => {
        const end = () => {
          clearTimeout(timer);
          current = null;
          resolve();
        };
        const timer = setTimeout(end, ms);
        current = { end, wakeable };
      }),
    wake: () => {
      if (current?.wakeable) current.end();
    },
    end: () => current?.end(),
  };
}
