import { DELIVERY_MEMORY_MS, type WebhookSpec } from "../core/index.ts";
import { type EventRow, recordEvent } from "./events.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/**
 * Make `file`'s webhooks exactly `webhooks` (in the caller's transaction): a file's webhooks
 * change as one when it is deployed, and a deleted file's go with it (pass none).
 */
export function setFileWebhooks(store: Store, file: string, webhooks: WebhookSpec[]): void {
  const db = sqlite(store);
  db.query("DELETE FROM webhooks WHERE source_file = ?").run(file);
  const insert = db.query(
    "INSERT INTO webhooks (slug, spec, source_file) VALUES (?, ?, ?) ON CONFLICT (slug) DO UPDATE SET spec = excluded.spec, source_file = excluded.source_file",
  );
  for (const hook of webhooks) insert.run(hook.slug, JSON.stringify(hook), file);
}

/** The webhook declared with `slug`, with the file that declares it, or null. */
export function getWebhook(
  store: Store,
  slug: string,
): { spec: WebhookSpec; source_file: string } | null {
  const row = sqlite(store)
    .query("SELECT spec, source_file FROM webhooks WHERE slug = ?")
    .get(slug) as { spec: string; source_file: string } | null;
  return row ? { spec: JSON.parse(row.spec), source_file: row.source_file } : null;
}

/** Every declared webhook, by slug. */
export function listWebhooks(store: Store): { spec: WebhookSpec; source_file: string }[] {
  const rows = sqlite(store)
    .query("SELECT spec, source_file FROM webhooks ORDER BY slug")
    .all() as { spec: string; source_file: string }[];
  return rows.map((r) => ({ spec: JSON.parse(r.spec), source_file: r.source_file }));
}

/**
 * Record a webhook's event, once per delivery: with a `delivery` id already received for the
 * slug, nothing is recorded and the first delivery's event id is returned instead. The check
 * and the insert share one transaction, so two copies arriving at once make one event.
 */
export function recordDelivery(
  store: Store,
  slug: string,
  delivery: string | null,
  payload: Record<string, unknown>,
): { event: EventRow } | { duplicateOf: number } {
  return store.tx(() => {
    const db = sqlite(store);
    if (delivery !== null) {
      const seen = db
        .query("SELECT event_id FROM webhook_deliveries WHERE slug = ? AND delivery_id = ?")
        .get(slug, delivery) as { event_id: number } | null;
      if (seen) return { duplicateOf: seen.event_id };
    }
    const event = recordEvent(store, `webhook.${slug}`, slug, payload);
    if (delivery !== null) {
      const now = store.clock.now();
      // Ids older than the memory are forgotten here, a few at a time, so the table stays small.
      db.query(
        "DELETE FROM webhook_deliveries WHERE (slug, delivery_id) IN (SELECT slug, delivery_id FROM webhook_deliveries WHERE at < ? ORDER BY at LIMIT 100)",
      ).run(now - DELIVERY_MEMORY_MS);
      db.query(
        "INSERT INTO webhook_deliveries (slug, delivery_id, event_id, at) VALUES (?, ?, ?, ?)",
      ).run(slug, delivery, event.id, now);
    }
    return { event };
  });
}
