import { iso, type NoticeJson } from "../core/index.ts";
import { recordEvent } from "./events.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

// What orch found at start-up that someone should see even if no view was open then (a run
// that crashed while orch was down): kept until acknowledged.

interface NoticeRow {
  id: number;
  kind: string;
  resource: string | null;
  message: string;
  at: number;
}

const toJson = (r: NoticeRow): NoticeJson => ({
  id: r.id,
  kind: r.kind as NoticeJson["kind"],
  resource: r.resource,
  message: r.message,
  at: iso(r.at)!,
});

/** Record a finding and emit notice.created; call in the transaction of what it reports. */
export function recordNotice(
  store: Store,
  kind: NoticeJson["kind"],
  resource: string | null,
  message: string,
): NoticeJson {
  const row = sqlite(store)
    .query("INSERT INTO notices (kind, resource, message, at) VALUES (?, ?, ?, ?) RETURNING *")
    .get(kind, resource, message, store.clock.now()) as NoticeRow;
  const notice = toJson(row);
  recordEvent(store, "notice.created", resource, { ...notice });
  return notice;
}

/** Findings not yet acknowledged, oldest first. */
export function listNotices(store: Store): NoticeJson[] {
  return (
    sqlite(store)
      .query("SELECT * FROM notices WHERE acknowledged_at IS NULL ORDER BY id")
      .all() as NoticeRow[]
  ).map(toJson);
}

/** Acknowledge every open finding up to `upTo` (all when omitted); emits notice.acknowledged. */
export function acknowledgeNotices(store: Store, upTo?: number): number {
  return store.tx(() => {
    const rows = sqlite(store)
      .query(
        "UPDATE notices SET acknowledged_at = ? WHERE acknowledged_at IS NULL AND id <= ? RETURNING id",
      )
      .all(store.clock.now(), upTo ?? Number.MAX_SAFE_INTEGER) as { id: number }[];
    if (rows.length) {
      recordEvent(store, "notice.acknowledged", null, { ids: rows.map((r) => r.id) });
    }
    return rows.length;
  });
}
