// The store's checkpoints on a thread of their own (see startCheckpoints for why). Message in:
// {db, everyMs}; it then checkpoints every everyMs until the thread is ended.
import { Database } from "bun:sqlite";

declare const self: Worker;

self.onmessage = (event: MessageEvent<{ db: string; everyMs: number }>) => {
  const { db: path, everyMs } = event.data;
  const db = new Database(path);
  db.run("PRAGMA busy_timeout = 5000");
  // PASSIVE never waits for the server's writes nor holds them up; a pass with nothing new in
  // the log does nothing (no copy, no sync).
  const checkpoint = db.query("PRAGMA wal_checkpoint(PASSIVE)");
  setInterval(() => {
    try {
      checkpoint.get();
    } catch (error) {
      self.postMessage({ type: "failed", message: (error as Error).message });
    }
  }, everyMs);
  self.postMessage({ type: "started" });
};
