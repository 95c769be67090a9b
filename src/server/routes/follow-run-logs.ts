import { isTerminal } from "../../core/index.ts";
import {
  eventToJson,
  getRun,
  type LogFilter,
  listLogs,
  logLineToJson,
  type RunRow,
  runToJson,
  type Store,
} from "../../store/index.ts";
import { encodeSsePage, sseResponse } from "../sse.ts";

/** Lines a followed log sends at a time: one read of the store, one chunk on the socket. */
const PAGE = 1000;

/**
 * A run's log lines as a stream (SSE) from after the line id `after`: `log` messages, `state`
 * messages as the run moves, then `end` with the final run. The lines are read from the store a
 * page at a time, each page once the client has taken the one before: a log of millions of lines
 * (stored or still being written) never waits in memory, and the server's thread is free between
 * pages, for other requests and for writing the run's own lines. A slow client just falls behind.
 */
export function followRunLogs(
  store: Store,
  run: RunRow,
  filter: Omit<LogFilter, "after" | "limit">,
  after: number,
  keepAliveMs?: number,
): Response {
  return sseResponse((stream) => {
    let pumping = false;
    /** Something changed while pumping: more lines, or the run's state. */
    let again = false;
    /** The run's state must be read again (at the start, and after each state event). */
    let check = true;
    /** Send what is new, and the end once the run has ended and every line is sent. */
    const pump = async () => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          // The state before the lines: a run already ended has stored its every line.
          const checked = check;
          check = false;
          const current = checked ? getRun(store, run.id) : undefined;
          for (;;) {
            if (!(await stream.room())) return;
            const lines = listLogs(store, run.seq, { ...filter, after, limit: PAGE });
            if (lines.length) {
              stream.send(
                encodeSsePage(
                  lines.map((l) => ({ event: "log", id: l.id, data: logLineToJson(l) })),
                ),
              );
              after = lines.at(-1)!.id;
            }
            if (lines.length < PAGE) break;
          }
          if (current === null) {
            // A planned run the scheduler replaced: there is nothing more to follow.
            stream.send({ event: "end", data: { ...runToJson(run), deleted: true } });
            stream.close();
            return;
          }
          if (current && isTerminal(current.state_type)) {
            stream.send({ event: "end", data: runToJson(current) });
            stream.close();
            return;
          }
        } while (again);
      } finally {
        pumping = false;
      }
    };
    const kick = () => {
      pump().catch(() => stream.close());
    };
    const stopLogs = store.watchLogs((seqs) => {
      if (seqs.includes(run.seq) || (filter.subflow && seqs.includes(filter.subflow.rootSeq)))
        kick();
    });
    const stopEvents = store.subscribe(
      (event) => {
        if (event.resource !== run.id) return;
        stream.send({ event: "state", id: event.id, data: eventToJson(event) });
        check = true;
        kick();
      },
      { live: true },
    );
    kick();
    return () => {
      stopLogs();
      stopEvents();
    };
  }, keepAliveMs);
}
