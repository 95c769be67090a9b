import {
  EMIT_EVENT_REQUEST,
  type EmitEventRequest,
  EVENT,
  EVENT_STREAM,
  LIST_EVENTS_QUERY,
  STREAM_EVENTS_QUERY,
} from "../../core/index.ts";
import {
  type EventRow,
  eventsAfter,
  eventToJson,
  listEvents,
  recordEvent,
  type Store,
} from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route, RouteContext } from "../router.ts";
import { encodeSseBytes, sseResponse } from "../sse.ts";

/** Events a reconnecting stream replays at most before it says to reload instead. */
const MAX_REPLAY = 50_000;
/** Events a replay reads and sends at a time. */
const REPLAY_PAGE = 1000;

/** Each event's stream message, encoded once however many streams send it (they share the row). */
const encoded = new WeakMap<EventRow, Uint8Array>();

/** The stream message of an event, from the cache above. */
function eventMessage(e: EventRow): Uint8Array {
  let bytes = encoded.get(e);
  if (!bytes) {
    bytes = encodeSseBytes({ event: "event", id: e.id, data: eventToJson(e) });
    encoded.set(e, bytes);
  }
  return bytes;
}

/** Routes for events: emit, list, and the live stream every client follows. */
export function eventRoutes({
  store,
  keepAliveMs,
}: {
  store: Store;
  keepAliveMs?: number;
}): Route[] {
  return [
    {
      method: "POST",
      path: "/api/events",
      operationId: "emitEvent",
      summary: "Emit an event: {name, resource, payload}",
      body: EMIT_EVENT_REQUEST,
      response: { status: 201, description: "The event", schema: EVENT },
      handler: (_req, { body }: RouteContext<EmitEventRequest>) => {
        return json(
          eventToJson(recordEvent(store, body.name, body.resource ?? null, body.payload ?? {})),
          201,
        );
      },
    },
    {
      method: "GET",
      path: "/api/events",
      operationId: "listEvents",
      summary:
        "Recent events, newest first: ?name=flow-run.*&since=<ISO time>&prefix=deployment.&limit=",
      response: { description: "Events, newest first", schema: { type: "array", items: EVENT } },
      query: LIST_EVENTS_QUERY,
      handler: (_req, { query }) => {
        const prefix = query.prefix as string | undefined;
        const name = query.name as string | undefined;
        const since = query.since ? Date.parse(query.since as string) : undefined;
        return json(
          listEvents(store, { prefix, name, since, limit: query.limit as number }).map(eventToJson),
        );
      },
    },
    {
      method: "GET",
      path: "/api/events/stream",
      summary:
        "Live events (SSE): ?prefix=flow-run.,deployment. to filter; ?after=<event id> replays what was missed",
      query: STREAM_EVENTS_QUERY,
      operationId: "streamEvents",
      response: {
        description:
          "Server-sent events: `event` messages (id: the event's id, data: an Event); `reset` when more than can be replayed were missed",
        stream: true,
        events: EVENT_STREAM,
      },
      handler: (_req, { query }) => {
        const prefixes = String(query.prefix ?? "")
          .split(",")
          .filter(Boolean);
        const after = (query.after as number | undefined) ?? 0;
        const wanted = (e: EventRow) =>
          !prefixes.length || prefixes.some((p) => e.name.startsWith(p));
        return sseResponse((stream) => {
          let last = after;
          // While missed events are replayed, live ones wait in the store: the replay reads them.
          let live = after === 0;
          const deliver = (e: EventRow) => {
            if (!live || e.id <= last || !wanted(e)) return;
            last = e.id;
            stream.send(eventMessage(e));
          };
          const unsubscribe = store.subscribe(deliver, { live: true });
          /**
           * Replay what was missed, a page at a time as the client takes them; past the cap the
           * client is told to reload.
           */
          const replay = async () => {
            for (let replayed = 0; replayed < MAX_REPLAY; ) {
              if (!(await stream.room())) return;
              const missed = eventsAfter(store, last, REPLAY_PAGE);
              const page = missed.filter(wanted).map(eventMessage);
              if (page.length) stream.send(page.length === 1 ? page[0]! : Buffer.concat(page));
              replayed += missed.length;
              if (missed.length) last = missed.at(-1)!.id;
              if (missed.length < REPLAY_PAGE) {
                live = true;
                return;
              }
            }
            live = true;
            stream.send({
              event: "reset",
              data: { message: `more than ${MAX_REPLAY} events were missed; load the state again` },
            });
          };
          if (!live) replay().catch(() => stream.close());
          return unsubscribe;
        }, keepAliveMs);
      },
    },
  ];
}
