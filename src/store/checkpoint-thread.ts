// The store's checkpoints on a thread of their own (see startCheckpoints for why). Messages in:
// {type: "start", db, everyMs, longPages}, then it checkpoints every everyMs until
// {type: "stop"}, when it closes its connection and says "stopped"; {type: "pass"} asks for a
// pass now, answered by "passed". Out: "long" when a pass finds the log at longPages or more.
import { Database } from "bun:sqlite";

declare const self: Worker;

let db: Database | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
/** One look at the log (a pass); a timed one tells when the log is long. */
let look: ((timed: boolean) => void) | null = null;

/**
 * The longest wait between two looks while nothing is written. Why wait longer when idle: a look
 * costs this thread a wake-up and the log's locks (about half a millisecond), five times a
 * second, a quarter of an idle server's CPU; the first commit after a quiet spell is copied back
 * at most this late (the log grows meanwhile, and the server's own backstop still holds).
 */
const IDLE_MAX_MS = 3200;

type Message =
  | { type: "start"; db: string; everyMs: number; longPages: number }
  | { type: "pass" }
  | { type: "stop" };

self.onmessage = (event: MessageEvent<Message>) => {
  const message = event.data;
  if (message.type === "stop") {
    clearTimeout(timer);
    // Closed here, so the server's own connection is the last one and its close checkpoints
    // the rest of the log and removes it, as without this thread.
    db?.close();
    db = null;
    look = null;
    self.postMessage({ type: "stopped" });
    return;
  }
  if (message.type === "pass") {
    // At once, in place of the next timed look (which it sets again).
    clearTimeout(timer);
    look?.(false);
    self.postMessage({ type: "passed" });
    return;
  }
  db = new Database(message.db);
  db.run("PRAGMA busy_timeout = 5000");
  // PASSIVE never waits for the server's writes nor holds them up; a pass with nothing new in
  // the log does nothing (no copy, no sync).
  const checkpoint = db.query("PRAGMA wal_checkpoint(PASSIVE)");
  const { everyMs, longPages } = message;
  // The log's frames and those copied back, as the last look found them: the same twice, with
  // all of them copied, means nothing was written in between, and the next look waits twice as
  // long (up to IDLE_MAX_MS); anything new brings it back to everyMs.
  let seen = "";
  let waitMs = everyMs;
  look = (timed) => {
    let idle = false;
    try {
      const { log, checkpointed } = checkpoint.get() as { log: number; checkpointed: number };
      const now = `${log}/${checkpointed}`;
      idle = log === checkpointed && now === seen;
      seen = now;
      // A log this long did not start over since: writes came too close together for it (see
      // Checkpoints.pace). Not after a pass asked for: the next write starts the log over.
      if (timed && log >= longPages) self.postMessage({ type: "long" });
    } catch (error) {
      self.postMessage({ type: "failed", message: (error as Error).message });
    }
    waitMs = idle ? Math.min(IDLE_MAX_MS, waitMs * 2) : everyMs;
    timer = setTimeout(() => look?.(true), waitMs);
  };
  timer = setTimeout(() => look?.(true), everyMs);
  self.postMessage({ type: "started" });
};
