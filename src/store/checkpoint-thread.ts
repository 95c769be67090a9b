// The store's checkpoints on a thread of their own (see startCheckpoints for why). Messages in:
// {type: "start", db, everyMs}, then it checkpoints every everyMs until {type: "stop"}, when it
// closes its connection and says "stopped".
import { Database } from "bun:sqlite";

declare const self: Worker;

let db: Database | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

/**
 * The longest wait between two looks while nothing is written. Why wait longer when idle: a look
 * costs this thread a wake-up and the log's locks (about half a millisecond), five times a
 * second, a quarter of an idle server's CPU; the first commit after a quiet spell is copied back
 * at most this late (the log grows meanwhile, and the server's own backstop still holds).
 */
const IDLE_MAX_MS = 3200;

self.onmessage = (
  event: MessageEvent<{ type: "start"; db: string; everyMs: number } | { type: "stop" }>,
) => {
  const message = event.data;
  if (message.type === "stop") {
    clearTimeout(timer);
    // Closed here, so the server's own connection is the last one and its close checkpoints
    // the rest of the log and removes it, as without this thread.
    db?.close();
    db = null;
    self.postMessage({ type: "stopped" });
    return;
  }
  db = new Database(message.db);
  db.run("PRAGMA busy_timeout = 5000");
  // PASSIVE never waits for the server's writes nor holds them up; a pass with nothing new in
  // the log does nothing (no copy, no sync).
  const checkpoint = db.query("PRAGMA wal_checkpoint(PASSIVE)");
  const { everyMs } = message;
  // The log's frames and those copied back, as the last look found them: the same twice, with
  // all of them copied, means nothing was written in between, and the next look waits twice as
  // long (up to IDLE_MAX_MS); anything new brings it back to everyMs.
  let seen = "";
  let waitMs = everyMs;
  const look = () => {
    let idle = false;
    try {
      const { log, checkpointed } = checkpoint.get() as { log: number; checkpointed: number };
      const now = `${log}/${checkpointed}`;
      idle = log === checkpointed && now === seen;
      seen = now;
    } catch (error) {
      self.postMessage({ type: "failed", message: (error as Error).message });
    }
    waitMs = idle ? Math.min(IDLE_MAX_MS, waitMs * 2) : everyMs;
    timer = setTimeout(look, waitMs);
  };
  timer = setTimeout(look, everyMs);
  self.postMessage({ type: "started" });
};
