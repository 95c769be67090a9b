import { readFileSync } from "node:fs";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** A write-ahead log frame: a 24-byte header (its first 4 bytes the page number), then the page. */
const FRAME_HEADER = 24;
/** The log's own header. */
const WAL_HEADER = 32;

/**
 * The pages `fn` writes to the store, by the table or index each belongs to: the frames its
 * commits add to the write-ahead log. Every frame is a page written at a commit and copied back
 * later; unlike a time, the count does not move with the machine's load. For tests and
 * scripts/run-pages.ts (through testing.ts): it empties the log first and keeps it until done.
 */
export function pagesWrittenBy(store: Store, fn: () => void): Map<string, number> {
  const db = sqlite(store);
  const { wal_autocheckpoint: was } = db.query("PRAGMA wal_autocheckpoint").get() as {
    wal_autocheckpoint: number;
  };
  db.run("PRAGMA wal_autocheckpoint = 0");
  try {
    db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    fn();
    const wal = readFileSync(`${store.path}-wal`);
    const { page_size: pageSize } = db.query("PRAGMA page_size").get() as { page_size: number };
    const owner = new Map<number, string>();
    for (const row of db.query("SELECT name, pageno FROM dbstat").all() as {
      name: string;
      pageno: number;
    }[]) {
      owner.set(row.pageno, row.name);
    }
    const pages = new Map<string, number>();
    for (let at = WAL_HEADER; at + FRAME_HEADER <= wal.length; at += FRAME_HEADER + pageSize) {
      const name = owner.get(wal.readUInt32BE(at)) ?? "(free or header)";
      pages.set(name, (pages.get(name) ?? 0) + 1);
    }
    return pages;
  } finally {
    db.run(`PRAGMA wal_autocheckpoint = ${was}`);
  }
}
