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
import { createSync } from "./monitor-sync.ts";
import { type Action, reduce, runToFollow } from "./reduce.ts";
import { type Command, initialState, type MonitorMode, type MonitorState } from "./state.ts";

/** Where server messages go: consola's shape (`orch up` hands this to its server). */
export interface MonitorLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  /** Several info lines at once, each its own entry. */
  infoLines(lines: string[]): void;
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

  // --- the server's state, followed by its events ----------------------------------------------
  const sync = createSync({
    client: () => client,
    stopped: () => stopped,
    getState: () => state,
    dispatch,
    note,
    failed,
    batchMs: timings.batchMs,
  });
  const queueRun = (id: string) => sync.queueRun(id);

  /** Everything the API has now, replacing what was held. */
  function fetchSnapshot(c: Client) {
    return Promise.all([
      c.listDeployments(),
      c.listWorkers().catch(failed("list the workers", [])),
      c.listRuns({ limit: FIRST_PAGE, planned: true }),
      c.listProblems().catch(failed("list the problems", { files: [], notices: [] })),
    ]);
  }

  /** Apply a snapshot fetched after the newest event id was read (so nothing falls between). */
  async function loadSnapshot(fetched: ReturnType<typeof fetchSnapshot>): Promise<string | null> {
    const [deployments, workers, page, problems] = await fetched;
    sync.reset();
    detailed.clear();
    const first = !state.loaded;
    dispatch({ type: "snapshot", deployments, workers, runs: page.runs, problems });
    if (first && problems.notices.length) {
      const n = problems.notices.length;
      note(
        "error",
        `${n === 1 ? problems.notices[0]!.message : `${n} runs crashed while orch was down`} (! lists ${n === 1 ? "it" : "them"})`,
      );
    }
    return page.next;
  }

  /** Older runs, page by page, up to what the monitor keeps. */
  async function loadHistory(c: Client, cursor: string | null, gen: number): Promise<void> {
    let next = cursor;
    while (next && !stopped && gen === loads && state.runs.order.length < state.maxRuns) {
      const page = await c.listRuns({ limit: PAGE, cursor: next, planned: true });
      if (gen !== loads) return;
      const runs = page.runs.filter((r) => !sync.isDeleted(r.id));
      dispatch({ type: "runsPage", runs });
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
    let delay = timings.retryMinMs;
    while (!stopped) {
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
          delay = timings.retryMinMs;
          dispatch({ type: "connection", status: "online" });
          const gen = ++loads;
          opened = loadSnapshot(fetched).then((cursor) => {
            const held = early ?? [];
            early = null;
            for (const e of held) sync.handle(e);
            if (state.logs.runId && !state.logs.ended) followLogs(state.logs.runId);
            void loadHistory(c, cursor, gen).catch(failed("load older runs", undefined));
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
          if (early) early.push(e);
          else sync.handle(e);
        }
        abort.abort();
        // A snapshot that failed ends the stream: say why, and start over.
        if (opened) await (opened as Promise<void>);
        if (stopped) return;
        if (reload) continue;
        dispatch({ type: "connection", status: "offline", error: "the server closed the stream" });
      } catch (error) {
        if (stopped) return;
        if (reload) continue;
        dispatch({ type: "connection", status: "offline", error: describeFailure(error) });
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
            // The run is fetched (in order with the live events) before the logs count as
            // ended, so the ended run is held first and is not followed again.
            sync.queueRun(runId);
            sync.whenApplied(() => dispatch({ type: "logsEnded", runId }));
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
      sync,
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
      // The server's run lines of a turn: each its own entry on the event line.
      infoLines: (lines: string[]) => {
        for (const line of lines) note("info", line);
      },
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
      sync.stop();
      clearTimeout(followTimer);
      wake?.();
      listeners.clear();
    },
  };
}
