/**
 * What the monitor follows of its selection: the details of the run opened (fetched once, for
 * its state history) and the log lines of the run open or selected, streamed into the state.
 */
import type { LogLineJson } from "../client/index.ts";
import { shortId } from "./format.ts";
import type { Sync, SyncContext } from "./monitor-sync.ts";
import { runToFollow } from "./select.ts";
import type { MonitorState } from "./state.ts";

/** What following the selection needs from the monitor's container. */
export interface FollowContext
  extends Pick<SyncContext, "client" | "stopped" | "getState" | "dispatch" | "failed" | "batchMs"> {
  /** Where an opened or ended run is fetched, in order with the live events. */
  sync: Pick<Sync, "queueRun" | "whenApplied">;
  /** How long a selection must rest before its logs are followed. */
  followDelayMs: number;
}

const TERMINAL = new Set(["COMPLETED", "FAILED", "CRASHED", "CANCELLED"]);

/** Follows the selection of the monitor's state as it changes (`react`). */
export function createSelectionFollower(ctx: FollowContext) {
  let logAbort: AbortController | null = null;
  let followTimer: ReturnType<typeof setTimeout> | undefined;
  let followed: string | null = null;
  /** Runs whose details were fetched for the details view (once each). */
  const detailed = new Set<string>();

  /** Stream a run's log lines into the state, from after the last one held. */
  function followLogs(runId: string): void {
    const c = ctx.client();
    if (!c || ctx.stopped()) return;
    logAbort?.abort();
    const abort = new AbortController();
    logAbort = abort;
    void (async () => {
      let buffer: LogLineJson[] = [];
      let timer: ReturnType<typeof setTimeout> | undefined;
      const flush = () => {
        timer = undefined;
        if (abort.signal.aborted || !buffer.length) return;
        const lines = buffer;
        buffer = [];
        ctx.dispatch({ type: "logsAppended", runId, lines });
      };
      try {
        const after =
          ctx.getState().logs.runId === runId ? ctx.getState().logs.lines.at(-1)?.id : undefined;
        for await (const message of c.followLogs(runId, { after }, abort.signal)) {
          if (message.event === "log") {
            buffer.push(message.data as LogLineJson);
            timer ??= setTimeout(flush, ctx.batchMs);
          } else if (message.event === "end") {
            clearTimeout(timer);
            flush();
            // The run is fetched (in order with the live events) before the logs count as
            // ended, so the ended run is held first and is not followed again.
            ctx.sync.queueRun(runId);
            ctx.sync.whenApplied(() => ctx.dispatch({ type: "logsEnded", runId }));
            return;
          }
        }
      } catch (error) {
        // The server went away: the stream resumes from the last line once it is back. An
        // answer it gave (a 401, a 500) is shown.
        if (!abort.signal.aborted)
          ctx.failed(`follow the logs of run ${shortId(runId)}`, undefined)(error);
      }
      clearTimeout(timer);
      flush();
    })();
  }

  /** Effects of a state change: follow the logs of the run now selected. */
  function react(after: MonitorState): void {
    if (!ctx.client() || ctx.stopped()) return;
    // Details need the state history, which list rows lack: fetch the run once.
    const open = after.details ? after.runs.byId.get(after.details) : undefined;
    if (open && !("states" in open) && !detailed.has(open.id)) {
      detailed.add(open.id);
      ctx.sync.queueRun(open.id);
    }
    const want = runToFollow(after);
    if (want === followed) {
      // A run that ended and starts again (a retry) has more lines to come.
      const run = want ? after.runs.byId.get(want) : undefined;
      if (want && after.logs.ended && run && !TERMINAL.has(run.state)) {
        ctx.dispatch({ type: "logsFollow", runId: want });
        followLogs(want);
      }
      return;
    }
    clearTimeout(followTimer);
    logAbort?.abort();
    followed = want;
    if (want === null) return;
    ctx.dispatch({ type: "logsFollow", runId: want });
    // Opening a run's details follows at once; moving through the list waits for it to rest.
    if (after.details === want) followLogs(want);
    else followTimer = setTimeout(() => followLogs(want), ctx.followDelayMs);
  }

  return {
    react,
    followLogs,
    /** Forget which runs' details were fetched (a snapshot replaced every run). */
    forgetDetails: () => detailed.clear(),
    stop(): void {
      logAbort?.abort();
      clearTimeout(followTimer);
    },
  };
}
