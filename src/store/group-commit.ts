import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** Writes of many callers committed together (see createGroupCommit). */
export interface GroupCommit {
  /**
   * Run `fn` in a transaction: at once when nothing else was written this turn, else with every
   * other caller of this turn in one transaction at its end. Resolves once committed.
   */
  run<T>(fn: () => T): Promise<T>;
}

interface Waiting {
  fn: () => unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit for writes that arrive in bursts (runs triggered through the API by the hundred).
 * Why: a commit writes every page its changes touched, and runs made one after another touch
 * the same pages (the table's last leaf, each index's newest keys), so one transaction for a
 * turn's worth of them writes a fraction of the pages of one each. A caller alone commits at
 * once, so one at a time costs no extra wait; callers that come in the same turn after a commit
 * wait for its end. Each runs in a savepoint of its own: one that throws undoes its own writes
 * and rejects its own caller only. Should the commit itself fail, each of them is rejected.
 */
export function createGroupCommit(store: Store): GroupCommit {
  let waiting: Waiting[] = [];
  let committedThisTurn = false;
  let scheduled = false;

  const commitWaiting = () => {
    scheduled = false;
    committedThisTurn = false;
    const batch = waiting;
    waiting = [];
    if (!batch.length) return;
    const settle: (() => void)[] = [];
    try {
      store.tx(() => {
        for (const item of batch) {
          try {
            const value = store.tx(item.fn);
            settle.push(() => item.resolve(value));
          } catch (error) {
            settle.push(() => item.reject(error));
          }
          // Some failures (a full disk, an I/O error) make SQLite roll back the whole
          // transaction: the items after would each commit alone, and their after-commit work
          // would act on writes already undone. The batch stops, and every caller hears of it.
          if (!sqlite(store).inTransaction) {
            throw new Error(
              "the store rolled back the batch's transaction; nothing of it was kept",
            );
          }
        }
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    for (const done of settle) done();
  };

  const endOfTurn = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(commitWaiting);
  };

  return {
    run<T>(fn: () => T): Promise<T> {
      if (!committedThisTurn) {
        committedThisTurn = true;
        endOfTurn();
        try {
          return Promise.resolve(store.tx(fn));
        } catch (error) {
          return Promise.reject(error);
        }
      }
      return new Promise<T>((resolve, reject) => {
        waiting.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      });
    },
  };
}
