import { OrchError } from "../../core/index.ts";
import {
  type EventRow,
  eventToJson,
  listEvents,
  recordEvent,
  type Store,
} from "../../store/index.ts";
import { json } from "../http.ts";
import { readBody } from "../read-body.ts";
import type { Route } from "../router.ts";
import { sseResponse } from "../sse.ts";

const EMIT_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._:-]*$", maxLength: 200 },
    resource: { type: "string", maxLength: 1000 },
    payload: { type: "object" },
  },
};

/** Routes for events: emit, list, and the live stream every client follows. */
export function eventRoutes({ store }: { store: Store }): Route[] {
  return [
    {
      method: "POST",
      path: "/api/events",
      summary: "Emit an event: {name, resource, payload}",
      handler: async (req) => {
        const body = await readBody<{
          name: string;
          resource?: string;
          payload?: Record<string, unknown>;
        }>(req, EMIT_SCHEMA);
        return json(
          eventToJson(recordEvent(store, body.name, body.resource ?? null, body.payload ?? {})),
          201,
        );
      },
    },
    {
      method: "GET",
      path: "/api/events",
      summary: "Recent events, newest first: ?prefix=deployment.&limit=",
      handler: (req) => {
        const url = new URL(req.url);
        const limit = Number(url.searchParams.get("limit") ?? 100);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
          throw new OrchError("E_BAD_INPUT", "limit must be from 1 to 1000", [
            { where: "limit", message: "must be from 1 to 1000" },
          ]);
        }
        const prefix = url.searchParams.get("prefix") ?? undefined;
        return json(listEvents(store, { prefix, limit }).map(eventToJson));
      },
    },
    {
      method: "GET",
      path: "/api/events/stream",
      summary:
        "Live events (SSE): ?prefix=flow-run.,deployment. to filter; ?after=<event id> replays what was missed",
      handler: (req) => {
        const url = new URL(req.url);
        const prefixes = (url.searchParams.get("prefix") ?? "").split(",").filter(Boolean);
        const after = Number(url.searchParams.get("after") ?? 0) || 0;
        const wanted = (e: EventRow) =>
          !prefixes.length || prefixes.some((p) => e.name.startsWith(p));
        return sseResponse((send) => {
          let last = after;
          const deliver = (e: EventRow) => {
            if (e.id <= last || !wanted(e)) return;
            last = e.id;
            send({ event: "event", id: e.id, data: eventToJson(e) });
          };
          const unsubscribe = store.subscribe(deliver);
          if (after > 0) {
            const missed = store.db
              .query("SELECT * FROM events WHERE id > ? ORDER BY id LIMIT 10000")
              .all(after) as EventRow[];
            for (const e of missed) deliver(e);
          }
          return unsubscribe;
        });
      },
    },
  ];
}
