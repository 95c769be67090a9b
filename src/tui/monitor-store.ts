/**
 * The monitor's container. Why one file past 300 lines: the snapshot, the live stream with its
 * reconnects, the run fetches and the log following share one closure's state (client, stopped,
 * the last event id, the followed run); what needs none of it (events, commands) is apart.
 */
import type { Client, EventJson, LogLineJson } from "../client/index.ts";
import { describeFailure, worthShowing } from "./describe-failure.ts";
import { shortId } from "./format.ts";
import { interpretKey, type KeyPress, keyOf } from "./keymap.ts";
import { performCommand } from "./monitor-commands.ts";
import { handleEvent } from "./monitor-events.ts";
import { type Action, reduce, runToFollow } from "./reduce.ts";
import {
  type Command,
  initialState,
  type MonitorMode,
  type MonitorRun,
  type MonitorState,
} from "./state.ts";

/** Where server messages go: consola's shape (`orch up` hands this to its server). */
export interface MonitorLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** Timings of the container, shortened by tests. */
export interface MonitorTimings {
  /** First and longest wait before reconnecting. */
  retryMinMs: number;
  retryMaxMs: number;
  /** How long a selection must rest before its logs are followed. */
  followDelayMs: number;
  /** Changes arriving within this window are fetched and shown together. */
  batchMs: number;
}

/** How the container starts: the view, its size, what it keeps, timings, what `q` does. */
export interface MonitorStoreOptions {
  mode?: MonitorMode;
  size?: { cols: number; rows: number };
  maxRuns?: number;
  timings?: Partial<MonitorTimings>;
  /** Called by `q` (after confirmation): the runner unmounts, `orch up` stops its server. */
  onQuit?: () => void;
}

/** The monitor's container: owns the state, feeds it from the client, performs commands. */
export type MonitorStore = ReturnType<typeof createMonitorStore>;

const PREFIXES = ["flow-run.", "deployment.", "backfill."];
/** Missed events replayed on reconnect; beyond this the runs are loaded again instead. */
const REPLAY_LIMIT = 5000;
const FIRST_PAGE = 200;
const TERMINAL = new Set(["COMPLETED", "FAILED", "CRASHED", "CANCELLED"]);
const PAGE = 1000;

function text(args: unknown[]): string {
  return args
    .map((a) => (a instanceof Error ? a.message : typeof a === "string" ? a : Bun.inspect(a)))
    .join(" ")
    .replace(/\s*\n\s*/g, " · ");
}

/**
 * Make the container. It does nothing until `start(client)`: then it loads a snapshot, follows
 * the live event stream (reconnecting with backoff, replaying what it missed), fetches each run
 * an event names, and follows the logs of the selected run. No polling.
 */
export function createMonitorStore(options: MonitorStoreOptions = {}) {
  const timings: MonitorTimings = {
    retryMinMs: 500,
    retryMaxMs: 5000,
    followDelayMs: 120,
    batchMs: 30,
    ...options.timings,
  };
  let state = initialState({ mode: options.mode, size: options.size, maxRuns: options.maxRuns });
  const listeners = new Set<() => void>();
  let client: Client | null = null;
  let stopped = false;
  let lastEventId = 0;
  const streamAbort = new AbortController();
  let wake: (() => void) | null = null;

  function dispatch(action: Action): void {
    const next = reduce(state, action);
    if (next === state) return;
    state = next;
    for (const listener of listeners) listener();
    react(next);
  }

  const note = (level: "info" | "warn" | "error", message: string) =>
    dispatch({ type: "event", event: { at: Date.now(), level, text: message } });

  /**
   * What a background fetch does with its failure: an answer orch gave (401, 500, ...) goes on the
   * event line with what to do, once while it repeats; the value to go on with comes back.
   */
  const failed =
    <T>(what: string, fallback: T) =>
    (error: unknown): T => {
      if (!worthShowing(error) || stopped) return fallback;
      const text = `could not ${what}: ${describeFailure(error)}`;
      if (state.events.at(-1)?.text !== text) note("error", text);
      return fallback;
    };

  // --- runs named by events, fetched in batches ---------------------------------------------
  const pendingRuns = new Set<string>();
  let runTimer: ReturnType<typeof setTimeout> | undefined;

  function queueRun(id: string): void {
    pendingRuns.add(id);
    runTimer ??= setTimeout(flushRuns, timings.batchMs);
  }

  async function flushRuns(): Promise<void> {
    runTimer = undefined;
    if (!client || stopped) return;
    const ids = [...pendingRuns];
    pendingRuns.clear();
    const runs: MonitorRun[] = [];
    for (let i = 0; i < ids.length; i += 8) {
      const got = await Promise.all(
        ids
          .slice(i, i + 8)
          .map((id) => client!.getRun(id).catch(failed(`load run ${shortId(id)}`, null))),
      );
      for (const run of got) if (run) runs.push(run);
    }
    if (stopped || !runs.length) return;
    dispatch({ type: "runsUpserted", runs });
    const known = new Set(state.workers.map((w) => w.id));
    if (runs.some((r) => r.worker && !known.has(r.worker))) void refreshWorkers();
  }

  async function refreshWorkers(): Promise<void> {
    const workers = await client?.listWorkers().catch(failed("list the workers", null));
    if (workers && !stopped) dispatch({ type: "workers", workers });
  }

  // --- the live stream ------------------------------------------------------------------------
  function onEvent(e: EventJson): Promise<void> {
    return handleEvent(e, {
      client: () => client,
      stopped: () => stopped,
      dispatch,
      note,
      queueRun,
      failed,
    });
  }

  async function loadSnapshot(c: Client, replaceRuns: boolean): Promise<string | null> {
    const [deployments, workers, page] = await Promise.all([
      c.listDeployments(),
      c.listWorkers().catch(failed("list the workers", [])),
      c.listRuns({ limit: FIRST_PAGE, planned: true }),
    ]);
    dispatch({ type: "snapshot", deployments, workers, runs: page.runs, replaceRuns });
    return page.next;
  }

  /** Older runs, page by page, up to what the monitor keeps. */
  async function loadHistory(c: Client, cursor: string | null): Promise<void> {
    let next = cursor;
    while (next && !stopped && state.runs.order.length < state.maxRuns) {
      const page = await c.listRuns({ limit: PAGE, cursor: next, planned: true });
      dispatch({ type: "runsPage", runs: page.runs });
      next = page.next;
    }
  }

  async function runStream(c: Client): Promise<void> {
    let delay = timings.retryMinMs;
    while (!stopped) {
      try {
        const head = (await c.listEvents({ limit: 1 }))[0]?.id ?? 0;
        const fresh = lastEventId === 0 || head - lastEventId > REPLAY_LIMIT;
        const cursor = await loadSnapshot(c, fresh && lastEventId !== 0);
        if (fresh) lastEventId = head;
        if (state.logs.runId && !state.logs.ended) followLogs(state.logs.runId);
        if (fresh) void loadHistory(c, cursor).catch(failed("load older runs", undefined));
        // Online means the live stream is open (the server answered 200), not merely that a
        // snapshot arrived: until then, changes would go unseen.
        const onOpen = () => {
          delay = timings.retryMinMs;
          dispatch({ type: "connection", status: "online" });
        };
        const events = c.streamEvents(
          { prefix: PREFIXES, after: lastEventId, onOpen },
          streamAbort.signal,
        );
        for await (const message of events) {
          if (message.event !== "event") continue;
          const e = message.data as EventJson;
          if (typeof e?.id === "number") lastEventId = Math.max(lastEventId, e.id);
          void onEvent(e);
        }
        if (stopped) return;
        dispatch({ type: "connection", status: "offline", error: "the server closed the stream" });
      } catch (error) {
        if (stopped) return;
        dispatch({ type: "connection", status: "offline", error: describeFailure(error) });
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
      delay = Math.min(delay * 2, timings.retryMaxMs);
    }
  }

  // --- logs of the selected run ---------------------------------------------------------------
  let logAbort: AbortController | null = null;
  let followTimer: ReturnType<typeof setTimeout> | undefined;
  let followed: string | null = null;
  /** Runs whose details were fetched for the details view (once each). */
  const detailed = new Set<string>();

  /** Stream a run's log lines into the state, from after the last one held. */
  function followLogs(runId: string): void {
    if (!client || stopped) return;
    logAbort?.abort();
    const abort = new AbortController();
    logAbort = abort;
    const c = client;
    void (async () => {
      let buffer: LogLineJson[] = [];
      let timer: ReturnType<typeof setTimeout> | undefined;
      const flush = () => {
        timer = undefined;
        if (abort.signal.aborted || !buffer.length) return;
        const lines = buffer;
        buffer = [];
        dispatch({ type: "logsAppended", runId, lines });
      };
      try {
        const after = state.logs.runId === runId ? state.logs.lines.at(-1)?.id : undefined;
        for await (const message of c.followLogs(runId, { after }, abort.signal)) {
          if (message.event === "log") {
            buffer.push(message.data as LogLineJson);
            timer ??= setTimeout(flush, timings.batchMs);
          } else if (message.event === "end") {
            clearTimeout(timer);
            flush();
            // The final run comes with the end: hold it first, so the run is seen as ended.
            const run = message.data as MonitorRun | null;
            if (run?.id === runId) dispatch({ type: "runsUpserted", runs: [run] });
            dispatch({ type: "logsEnded", runId });
            return;
          }
        }
      } catch (error) {
        // The server went away: the stream resumes from the last line once it is back. An
        // answer it gave (a 401, a 500) is shown.
        if (!abort.signal.aborted)
          failed(`follow the logs of run ${shortId(runId)}`, undefined)(error);
      }
      clearTimeout(timer);
      flush();
    })();
  }

  /** Effects of a state change: follow the logs of the run now selected. */
  function react(after: MonitorState): void {
    if (!client || stopped) return;
    // Details need the state history, which list rows lack: fetch the run once.
    const open = after.details ? after.runs.byId.get(after.details) : undefined;
    if (open && !("states" in open) && !detailed.has(open.id)) {
      detailed.add(open.id);
      queueRun(open.id);
    }
    const want = runToFollow(after);
    if (want === followed) {
      // A run that ended and starts again (a retry) has more lines to come.
      const run = want ? after.runs.byId.get(want) : undefined;
      if (want && after.logs.ended && run && !TERMINAL.has(run.state)) {
        dispatch({ type: "logsFollow", runId: want });
        followLogs(want);
      }
      return;
    }
    clearTimeout(followTimer);
    logAbort?.abort();
    followed = want;
    if (want === null) return;
    dispatch({ type: "logsFollow", runId: want });
    // Opening a run's details follows at once; moving through the list waits for it to rest.
    if (after.details === want) followLogs(want);
    else followTimer = setTimeout(() => followLogs(want), timings.followDelayMs);
  }

  // --- commands -------------------------------------------------------------------------------
  function perform(command: Command): Promise<void> {
    return performCommand(command, {
      client: () => client,
      getState: () => state,
      dispatch,
      note,
      onQuit: options.onQuit,
    });
  }

  /** Handle a key press: change the state, perform what it asks. */
  function press(input: string, key: KeyPress): void {
    // Keys typed faster than they are read come as one string ("ab\r"): one press each.
    if ([...input].length > 1 && !key.ctrl && !key.meta) {
      for (const char of input) press(char, keyOf(char));
      return;
    }
    const result = interpretKey(state, input, key);
    for (const action of result.actions) dispatch(action);
    if (result.command) void perform(result.command);
  }

  return {
    getState: (): MonitorState => state,
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispatch,
    perform,
    press,
    /** Server messages for the event line (what `orch up` passes to its server as logger). */
    logger: {
      info: (...args: unknown[]) => note("info", text(args)),
      warn: (...args: unknown[]) => note("warn", text(args)),
      error: (...args: unknown[]) => note("error", text(args)),
    } satisfies MonitorLogger,
    /** Connect to orch through `c` and keep following it until `stop`. */
    start(c: Client): Promise<void> {
      client = c;
      state = { ...state, server: { ...state.server, url: c.url } };
      return runStream(c);
    },
    /** Reconnect now instead of waiting out the backoff. */
    reconnect(): void {
      wake?.();
    },
    stop(): void {
      stopped = true;
      streamAbort.abort();
      logAbort?.abort();
      clearTimeout(runTimer);
      clearTimeout(followTimer);
      wake?.();
      listeners.clear();
    },
  };
}
