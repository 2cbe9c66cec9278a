/**
 * Waits for a job's "finished" event by id. The event can arrive before the call that started the
 * job has answered with its id (a fast job), so early finishes are remembered until asked for.
 */
export interface FinishWaiter<T> {
  /** Feed every finished event here. */
  finished(id: string, payload: T): void;
  /** Resolves with the job's finished payload (at once if it already came). */
  wait(id: string): Promise<T>;
}

export function createFinishWaiter<T>(): FinishWaiter<T> {
  const early = new Map<string, T>();
  const waiting = new Map<string, (p: T) => void>();
  return {
    finished(id, payload) {
      const w = waiting.get(id);
      if (w) {
        waiting.delete(id);
        w(payload);
      } else early.set(id, payload);
    },
    wait(id) {
      if (early.has(id)) {
        const p = early.get(id)!;
        early.delete(id);
        return Promise.resolve(p);
      }
      return new Promise((resolve) => waiting.set(id, resolve));
    },
  };
}
