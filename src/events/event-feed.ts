import { type EventRow, eventsAfter, lastEventId, type Store } from "../store/index.ts";

/** Events handled in one call of the handler at most. */
const BATCH = 200;

/** What the feed needs: the store, where to start, and what to do with each batch. */
export interface EventFeedOptions {
  store: Store;
  /** Events after this id are handled (those recorded before the feed started, first). */
  after: number;
  /** Handle a batch of events, in order; a throw is told to `failed` and the feed goes on. */
  handle(rows: EventRow[]): void;
  failed(rows: EventRow[], error: unknown): void;
}

/** Committed events, fed in order to a handler. */
export interface EventFeed {
  /** The next event waiting (a handler looks ahead: a burst of changes is read once, after it). */
  peek(): EventRow | undefined;
  /** Every event up to this id has been handled. */
  handledThrough(): number;
  /**
   * Handle the events waiting, through `eventId`, now rather than at the next turn; false when
   * that event is not waiting (handled already, or the feed is still catching up before it).
   */
  handleThrough(eventId: number): boolean;
  /** Take no more events; handle those waiting unless it is still catching up. */
  stop(): void;
}

/**
 * Feed committed events to `handle` off the writer's call: first those recorded after `after`
 * before the feed started, a batch per turn, then each new one as it commits (store.subscribe),
 * the waiting ones a batch at a time at the next turn. Why the first ones in turns: a large
 * project's load records an event per deployment and planned run (20,000 at 10,000 deployments),
 * and read back in one pass they held the server's thread for 200 ms and more.
 */
export function startEventFeed(options: EventFeedOptions): EventFeed {
  const { store } = options;
  const queue: EventRow[] = [];
  let handled = options.after;
  const upTo = lastEventId(store);
  let catchingUp = handled < upTo;
  let draining = false;
  let stopped = false;

  const handle = (rows: EventRow[]) => {
    try {
      options.handle(rows);
    } catch (error) {
      options.failed(rows, error);
    }
    handled = rows.at(-1)!.id;
  };
  /** Handle the first `count` waiting events (all by default), a batch at a time. */
  const handleQueued = (count = queue.length) => {
    while (count > 0 && queue.length) {
      const batch = queue.splice(0, Math.min(BATCH, count));
      count -= batch.length;
      handle(batch);
    }
  };
  const drainSoon = () => {
    if (draining || catchingUp || stopped || !queue.length) return;
    draining = true;
    setImmediate(() => {
      draining = false;
      if (!catchingUp) handleQueued();
    });
  };
  const catchUp = () => {
    if (stopped) return;
    const missed = eventsAfter(store, handled, BATCH).filter((row) => row.id <= upTo);
    if (missed.length) handle(missed);
    if (missed.length === BATCH && handled < upTo) {
      setImmediate(catchUp);
      return;
    }
    handled = Math.max(handled, upTo);
    catchingUp = false;
    drainSoon();
  };

  const unsubscribe = store.subscribe((row) => {
    if (stopped) return;
    queue.push(row);
    drainSoon();
  });
  if (catchingUp) catchUp();
  return {
    peek: () => queue[0],
    handledThrough: () => handled,
    handleThrough(eventId) {
      const at = queue.findIndex((row) => row.id === eventId);
      if (stopped || catchingUp || at < 0) return false;
      handleQueued(at + 1);
      return true;
    },
    stop() {
      unsubscribe();
      stopped = true;
      if (!catchingUp) handleQueued();
    },
  };
}
