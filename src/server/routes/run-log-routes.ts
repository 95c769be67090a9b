import { LOG_LINE, LOG_STREAM, type LogLevel, RUN_LOGS_QUERY } from "../../core/index.ts";
import {
  getRunOrThrow,
  listLogs,
  logLineToJson,
  type Store,
  subflowLines,
} from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route } from "../router.ts";
import { followRunLogs } from "./follow-run-logs.ts";

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
        const after = query.after as number | undefined;
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
        return followRunLogs(store, run, filter, after ?? 0, keepAliveMs);
      },
    },
  ];
}
