import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { createLink, createReportQueue, openReportJournal } from "../../src/worker/index.ts";
import { tempDir } from "../helpers.ts";
import { eventually } from "./helpers.ts";

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.reverse()) c();
  cleanups = [];
});

const quiet = { info() {}, warn() {}, error() {} };

test("lines merged into one request are acknowledged in the journal by one line", async () => {
  const t = tempDir("orch-queue-");
  cleanups.push(t.cleanup);
  const journal = openReportJournal(join(t.dir, "reports"), {
    logger: quiet,
    api: "http://127.0.0.1:4200",
  });
  cleanups.push(() => journal.close());
  // The first request is held until more lines are queued behind it: they go as one request.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const requests: number[] = [];
  const queue = createReportQueue(
    {
      start: async () => ({ start: true }) as never,
      // Another run's state stays owed: the journal keeps its lines.
      state: () => new Promise(() => {}),
      logs: async (_w, _r, batch) => {
        requests.push(batch.lines.length);
        if (requests.length === 1) await held;
        return {};
      },
    },
    { logger: quiet, link: createLink(quiet, "http://127.0.0.1:4200"), journal },
  );
  cleanups.push(() => queue.close());
  const line = (n: number) => [{ at: 1_796_000_000_000, stream: "stdout" as const, line: `${n}` }];
  void queue.state("w1", "r2", { type: "RUNNING", at: "2026-12-01T10:00:00.000Z" });
  queue.logs("w1", "r1", 1, line(1));
  for (let n = 2; n <= 6; n++) queue.logs("w1", "r1", 1, line(n));
  release();
  await eventually(() => journal.size === 1, 3000, "the lines delivered");
  expect(requests).toEqual([1, 5]);
  const written = readFileSync(journal.path, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  // The header, the state and six batches of lines, and one acknowledgement per request.
  expect(written.slice(8)).toEqual([{ ack: 2 }, { ack: [3, 4, 5, 6, 7] }]);
});
