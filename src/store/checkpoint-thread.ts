// The store's checkpoints on a thread of their own (see startCheckpoints for why). Messages in:
// {type: "start", db, everyMs}, then it checkpoints every everyMs until {type: "stop"}, when it
// closes its connection and says "stopped".
import { Database } from "bun:sqlite";

declare const self: Worker;

let db: Database | null = null;
let timer: ReturnType<typeof setInterval> | undefined;

self.onmessage = (
  event: MessageEvent<{ type: "start"; db: string; everyMs: number } | { type: "stop" }>,
) => {
  const message = event.data;
  if (message.type === "stop") {
    clearInterval(timer);
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
  timer = setInterval(() => {
    try {
      checkpoint.get();
    } catch (error) {
      self.postMessage({ type: "failed", message: (error as Error).message });
    }
  }, message.everyMs);
  self.postMessage({ type: "started" });
};
