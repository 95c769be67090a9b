/**
 * The monitor's container: it owns the state, dispatches to the reducer, and wires what feeds
 * it: the live stream and its snapshots (monitor-stream.ts), the live events applied in order
 * (monitor-sync.ts), the selection's details and logs (monitor-follow.ts) and the commands
 * (monitor-commands.ts).
 */
import type { Client } from "../client/index.ts";
import type { Action } from "./action.ts";
import { describeFailure, worthShowing } from "./describe-failure.ts";
import { interpretKey, type KeyPress, keyOf } from "./keymap.ts";
import { performCommand } from "./monitor-commands.ts";
import { createSelectionFollower } from "./monitor-follow.ts";
import { createMonitorStream } from "./monitor-stream.ts";
import { createSync } from "./monitor-sync.ts";
import { reduce } from "./reduce.ts";
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

  function dispatch(action: Action): void {
    const next = reduce(state, action);
    if (next === state) return;
    state = next;
    for (const listener of listeners) listener();
    follower.react(next);
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
  // What the parts that feed the state read of it, and how they change it.
  const context = {
    client: () => client,
    stopped: () => stopped,
    getState: () => state,
    dispatch,
    note,
    failed,
    batchMs: timings.batchMs,
  };
  const sync = createSync(context);

  // --- the live stream, the snapshot behind it, and the selection's details and logs ----------
  const follower = createSelectionFollower({
    ...context,
    sync,
    followDelayMs: timings.followDelayMs,
  });
  const stream = createMonitorStream({
    ...context,
    sync,
    follower,
    retryMinMs: timings.retryMinMs,
    retryMaxMs: timings.retryMaxMs,
  });

  // --- commands -------------------------------------------------------------------------------
  function perform(command: Command): Promise<void> {
    return performCommand(command, { ...context, sync, onQuit: options.onQuit });
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
      return stream.run(c);
    },
    /** Reconnect now instead of waiting out the backoff. */
    reconnect(): void {
      stream.reconnect();
    },
    stop(): void {
      stopped = true;
      stream.stop();
      follower.stop();
      sync.stop();
      listeners.clear();
    },
  };
}
