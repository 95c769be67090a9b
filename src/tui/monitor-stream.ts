/**
 * The monitor's connection to orch: the live event stream (reconnecting with backoff), the
 * snapshot read behind it, and the older runs paged in after. The monitor never guesses what it
 * missed: a gap in the events or a lost stream starts over with a fresh snapshot.
 */
import type { Client, EventJson } from "../client/index.ts";
import { describeFailure } from "./describe-failure.ts";
import type { createSelectionFollower } from "./monitor-follow.ts";
import type { Sync, SyncContext } from "./monitor-sync.ts";

/** What the stream needs from the monitor's container. */
export interface StreamContext
  extends Pick<SyncContext, "stopped" | "getState" | "dispatch" | "note" | "failed"> {
  /** Where the live events are applied, in order. */
  sync: Pick<Sync, "reset" | "handle" | "isDeleted">;
  /** What follows the selection: its logs again after a reconnect. */
  follower: Pick<ReturnType<typeof createSelectionFollower>, "followLogs" | "forgetDetails">;
  /** First and longest wait before reconnecting. */
  retryMinMs: number;
  retryMaxMs: number;
}

const FIRST_PAGE = 200;
const PAGE = 1000;

/** The monitor's stream: `run(c)` follows orch through `c` until `stop`. */
export function createMonitorStream(ctx: StreamContext) {
  const streamAbort = new AbortController();
  let wake: (() => void) | null = null;
  const held = () => ctx.getState().runs.order.length;

  /** Everything the API has now, replacing what was held. */
  function fetchSnapshot(c: Client) {
    return Promise.all([
      c.listDeployments(),
      c.listWorkers().catch(ctx.failed("list the workers", [])),
      c.listRuns({ limit: FIRST_PAGE, planned: true }),
      c.listProblems().catch(ctx.failed("list the problems", { files: [], notices: [] })),
    ]);
  }

  /** Apply a snapshot fetched after the newest event id was read (so nothing falls between). */
  async function loadSnapshot(fetched: ReturnType<typeof fetchSnapshot>): Promise<string | null> {
    const [deployments, workers, page, problems] = await fetched;
    ctx.sync.reset();
    ctx.follower.forgetDetails();
    const first = !ctx.getState().loaded;
    ctx.dispatch({ type: "snapshot", deployments, workers, runs: page.runs, problems });
    if (first && problems.notices.length) {
      const n = problems.notices.length;
      ctx.note(
        "error",
        `${n === 1 ? problems.notices[0]!.message : `${n} runs crashed while orch was down`} (! lists ${n === 1 ? "it" : "them"})`,
      );
    }
    return page.next;
  }

  /** Older runs, page by page, up to what the monitor keeps. */
  async function loadHistory(c: Client, cursor: string | null, gen: number): Promise<void> {
    let next = cursor;
    while (next && !ctx.stopped() && gen === loads && held() < ctx.getState().maxRuns) {
      const page = await c.listRuns({ limit: PAGE, cursor: next, planned: true });
      if (gen !== loads) return;
      const runs = page.runs.filter((r) => !ctx.sync.isDeleted(r.id));
      ctx.dispatch({ type: "runsPage", runs });
      next = page.next;
    }
  }

  /** Snapshots loaded so far: a history load of an older one stops. */
  let loads = 0;

  /**
   * Follow the server: open the live stream from the newest event, then load a snapshot, then
   * apply the events that came meanwhile and every one after. A `reset`, a gap in the event ids
   * (something was missed) or a lost stream starts over with a fresh snapshot: the monitor
   * never guesses what it missed.
   */
  async function runStream(c: Client): Promise<void> {
    let delay = ctx.retryMinMs;
    while (!ctx.stopped()) {
      const abort = new AbortController();
      const stopStream = () => abort.abort();
      streamAbort.signal.addEventListener("abort", stopStream);
      let reload: string | null = null;
      try {
        let last = (await c.listEvents({ limit: 1 }))[0]?.id ?? 0;
        // Read after the newest event id, the snapshot misses nothing: what changes later is an
        // event the stream replays from that id. It is fetched while the stream opens, and
        // shown once the stream is open (never data without a live stream behind it).
        const fetched = fetchSnapshot(c);
        fetched.catch(() => abort.abort());
        let early: EventJson[] | null = [];
        let opened: Promise<void> | null = null;
        const onOpen = () => {
          delay = ctx.retryMinMs;
          ctx.dispatch({ type: "connection", status: "online" });
          const gen = ++loads;
          opened = loadSnapshot(fetched).then((cursor) => {
            const held = early ?? [];
            early = null;
            for (const e of held) ctx.sync.handle(e);
            const { logs } = ctx.getState();
            if (logs.runId && !logs.ended) ctx.follower.followLogs(logs.runId);
            void loadHistory(c, cursor, gen).catch(ctx.failed("load older runs", undefined));
          });
          opened.catch(() => abort.abort());
        };
        const events = c.streamEvents({ after: last, onOpen }, abort.signal);
        for await (const message of events) {
          if (message.event === "reset") {
            reload = "the server said to reload";
            break;
          }
          if (message.event !== "event") continue;
          const e = message.data as EventJson;
          if (typeof e?.id !== "number") continue;
          if (e.id !== last + 1) {
            reload = `events ${last + 1}-${e.id - 1} were missed`;
            break;
          }
          last = e.id;
          // Runs, lines or events deleted: the monitor loads what it shows again.
          if (e.name === "project.pruned") {
            reload = "runs were pruned";
            break;
          }
          if (early) early.push(e);
          else ctx.sync.handle(e);
        }
        abort.abort();
        // A snapshot that failed ends the stream: say why, and start over.
        if (opened) await (opened as Promise<void>);
        if (ctx.stopped()) return;
        if (reload) continue;
        ctx.dispatch({
          type: "connection",
          status: "offline",
          error: "the server closed the stream",
        });
      } catch (error) {
        if (ctx.stopped()) return;
        if (reload) continue;
        ctx.dispatch({ type: "connection", status: "offline", error: describeFailure(error) });
      } finally {
        abort.abort();
        streamAbort.signal.removeEventListener("abort", stopStream);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
      delay = Math.min(delay * 2, ctx.retryMaxMs);
    }
  }

  return {
    run: runStream,
    /** Reconnect now instead of waiting out the backoff. */
    reconnect: () => wake?.(),
    /** Close the stream (after the container says it stopped). */
    stop(): void {
      streamAbort.abort();
      wake?.();
    },
  };
}
