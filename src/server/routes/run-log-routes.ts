import {
  isTerminal,
  LOG_LINE,
  LOG_STREAM,
  type LogLevel,
  RUN_LOGS_QUERY,
} from "../../core/index.ts";
import {
  eventToJson,
  getRun,
  getRunOrThrow,
  listLogs,
  logLineToJson,
  runToJson,
  type Store,
  subflowLines,
} from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route } from "../router.ts";
import { sseResponse } from "../sse.ts";

/** The route for a run's log lines: a page of them, or (follow) a stream until the run ends. */
export function runLogRoutes({
  store,
  keepAliveMs,
}: {
  store: Store;
  keepAliveMs?: number;
}): Route[] {
  return [
    {
      method: "GET",
      path: "/api/runs/:id/logs",
      summary:
        "A run's log lines: ?after=<line id>&limit=; ?level=warn (that level and above), ?grep=TEXT; ?follow=1 streams them (SSE) until the run ends",
      query: RUN_LOGS_QUERY,
      operationId: "getRunLogs",
      response: {
        description:
          "The lines, oldest first; with follow=1, server-sent events: `log` (data: a LogLine), `state` (data: an Event of the run), then `end` (data: the final Run)",
        schema: { type: "array", items: LOG_LINE },
        stream: true,
        events: LOG_STREAM,
      },
      handler: (_req, { params: { id }, query }) => {
        const run = getRunOrThrow(store, id!);
        let after = query.after as number;
        const subflow = subflowLines(store, run);
        const filter = {
          level: query.level as LogLevel | undefined,
          grep: query.grep as string | undefined,
          ...(subflow ? { subflow } : {}),
        };
        if (query.follow !== true) {
          return json(
            listLogs(store, run.seq, { ...filter, after, limit: query.limit as number }).map(
              logLineToJson,
            ),
          );
        }
        return sseResponse((send, close) => {
          const flush = () => {
            for (;;) {
              const lines = listLogs(store, run.seq, { ...filter, after, limit: 5000 });
              for (const l of lines) send({ event: "log", id: l.id, data: logLineToJson(l) });
              if (lines.length) after = lines.at(-1)!.id;
              if (lines.length < 5000) return;
            }
          };
          const finish = () => {
            flush();
            const current = getRun(store, run.id);
            if (!current) {
              // A planned run the scheduler replaced: there is nothing more to follow.
              send({ event: "end", data: { ...runToJson(run), deleted: true } });
              close();
            } else if (isTerminal(current.state_type)) {
              send({ event: "end", data: runToJson(current) });
              close();
            }
          };
          const stopLogs = store.watchLogs((seqs) => {
            if (seqs.includes(run.seq) || (subflow && seqs.includes(subflow.rootSeq))) flush();
          });
          const stopEvents = store.subscribe(
            (event) => {
              if (event.resource === run.id) {
                send({ event: "state", id: event.id, data: eventToJson(event) });
                finish();
              }
            },
            { live: true },
          );
          queueMicrotask(() => finish());
          return () => {
            stopLogs();
            stopEvents();
          };
        }, keepAliveMs);
      },
    },
  ];
}
