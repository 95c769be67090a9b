import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { startEventFeed } from "../../src/events/event-feed.ts";
import { type EventRow, openStore, recordEvent, type Store } from "../../src/store/index.ts";
import { tempDir } from "../helpers.ts";

let store: Store;
let cleanup = () => {};

beforeEach(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  store = openStore(join(t.dir, "orch.db"));
});

afterEach(() => {
  store.close();
  cleanup();
});

/** Record `count` events named `name`; their ids. */
const record = (count: number, name = "load.step") =>
  Array.from({ length: count }, (_, i) => recordEvent(store, name, null, { i }).id);

/** Turn the event loop until `done()` holds (or fail after many turns). */
async function turnsUntil(done: () => boolean): Promise<number> {
  for (let turns = 0; turns < 10_000; turns++) {
    if (done()) return turns;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error("the feed never got there");
}

test("events recorded before the feed started are handled in slices, then those recorded meanwhile, all in order", async () => {
  const before = record(1);
  const backlog = record(1_000);
  const seen: number[] = [];
  const batches: number[] = [];
  const feed = startEventFeed({
    store,
    after: before[0]!,
    handle: (rows: EventRow[]) => {
      batches.push(rows.length);
      seen.push(...rows.map((r) => r.id));
    },
    failed: (_rows, error) => {
      throw error;
    },
  });
  // The start handled one slice, not the whole backlog: the thread is free between slices.
  expect(seen.length).toBeLessThan(backlog.length);
  // Recorded while it catches up: handled after the backlog, never before.
  const later = record(3, "later");
  const turns = await turnsUntil(() => seen.length === backlog.length + later.length);
  expect(turns).toBeGreaterThan(1);
  expect(seen).toEqual([...backlog, ...later]);
  expect(Math.max(...batches)).toBeLessThanOrEqual(200);
  expect(feed.handledThrough()).toBe(later.at(-1));
  feed.stop();
});

test("handleThrough handles the events up to the one asked for, in order, and leaves those after it for the next turn", async () => {
  const seen: number[] = [];
  const feed = startEventFeed({
    store,
    after: record(1)[0]!,
    handle: (rows) => seen.push(...rows.map((r) => r.id)),
    failed: (_rows, error) => {
      throw error;
    },
  });
  const [first, hook, after] = record(3);
  expect(feed.handleThrough(hook!)).toBe(true);
  expect(seen).toEqual([first, hook]);
  // Handled already: nothing waits for it.
  expect(feed.handleThrough(hook!)).toBe(false);
  await turnsUntil(() => seen.length === 3);
  expect(seen).toEqual([first, hook, after]);
  feed.stop();
});

test("a batch whose handler throws is told, and the feed goes on with the next", async () => {
  const failed: number[] = [];
  const seen: number[] = [];
  const feed = startEventFeed({
    store,
    after: record(1)[0]!,
    handle: (rows) => {
      if (rows.some((r) => r.name === "bad")) throw new Error("refused");
      seen.push(...rows.map((r) => r.id));
    },
    failed: (rows) => failed.push(...rows.map((r) => r.id)),
  });
  const [bad] = record(1, "bad");
  await turnsUntil(() => failed.length === 1);
  const [good] = record(1, "good");
  await turnsUntil(() => seen.length === 1);
  expect(failed).toEqual([bad]);
  expect(seen).toEqual([good]);
  expect(feed.handledThrough()).toBe(good);
  feed.stop();
});
