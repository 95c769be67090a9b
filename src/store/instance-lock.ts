import { Database } from "bun:sqlite";

/**
 * Hold the project's single-server lock: an exclusive SQLite lock on `.orch/server.lock`, kept
 * for the life of the connection. The operating system drops it when the process dies, even by
 * kill -9, so a crashed server never leaves a stale lock. Returns a release function, or null
 * when another process holds the lock.
 */
export function acquireInstanceLock(path: string): (() => void) | null {
  const db = new Database(path, { create: true });
  try {
    db.run("PRAGMA busy_timeout = 0");
    db.run("PRAGMA locking_mode = EXCLUSIVE");
    db.run("BEGIN EXCLUSIVE");
    db.run("CREATE TABLE IF NOT EXISTS lock (pid INTEGER)");
    db.run("COMMIT");
    // In exclusive locking mode the lock stays after commit; one more write keeps it exclusive.
    db.run("BEGIN EXCLUSIVE");
  } catch {
    db.close();
    return null;
  }
  return () => db.close();
}
