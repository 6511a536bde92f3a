/**
 * Per-key window state that forgets windows once they end, so memory stays
 * bounded by the keys active in their current window rather than growing
 * with every key ever seen. The sweep runs inside calls, at most once per
 * `sweepIntervalMs`, and costs one pass over the map: no timer to stop, and
 * nothing at all while no request arrives.
 */
export type WindowMap<S extends { windowEnd: number }> = {
  get(id: string): S | undefined;
  set(id: string, state: S): void;
  /** Drops the states `isDone` accepts among those whose window ended by `now`. */
  sweepIfDue(now: number, isDone?: (state: S) => boolean): void;
  readonly size: number;
};

export function createWindowMap<S extends { windowEnd: number }>(
  sweepIntervalMs: number,
): WindowMap<S> {
  const states = new Map<string, S>();
  let nextSweepAt = -Infinity;

  return {
    get: (id) => states.get(id),
    set: (id, state) => void states.set(id, state),
    sweepIfDue: (now, isDone = () => true) => {
      if (now < nextSweepAt) return;

      nextSweepAt = now + sweepIntervalMs;
      // Deleting the entry being visited is safe while iterating a Map.
      for (const [id, state] of states) {
        if (state.windowEnd <= now && isDone(state)) states.delete(id);
      }
    },
    get size() {
      return states.size;
    },
  };
}
