import type { Client } from "../client/index.ts";
import { createMonitorStore, type MonitorStore } from "./monitor-store.ts";
import type { MonitorMode } from "./state.ts";

export interface MonitorOptions {
  mode: MonitorMode;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  maxRuns?: number;
}

/** The alternate screen: the monitor takes the whole terminal and gives it back as it was. */
const ENTER_SCREEN = "\u001B[?1049h\u001B[H";
const LEAVE_SCREEN = "\u001B[?1049l";

/**
 * Ink decides at import whether it runs in CI (`CI` set), and then draws nothing until it
 * exits. The monitor only runs on a terminal, so it imports Ink with those variables hidden.
 */
async function importInk(): Promise<typeof import("ink")> {
  const saved: Record<string, string> = {};
  for (const name of ["CI", "CONTINUOUS_INTEGRATION"]) {
    const value = process.env[name];
    if (value !== undefined) {
      saved[name] = value;
      delete process.env[name];
    }
  }
  try {
    return await import("ink");
  } finally {
    Object.assign(process.env, saved);
  }
}

/** A monitor: its store exists at once (and takes server messages); `run` shows it. */
export interface Monitor {
  store: MonitorStore;
  /** Server messages into the event line (the logger `orch up` gives its server). */
  logger: MonitorStore["logger"];
  /**
   * Connect through `client` and show the monitor until `q` (or `until` settles). Data loads
   * while Ink loads, so the first frame comes as soon as Ink can draw it.
   */
  run(client: Client, options?: { until?: Promise<unknown> }): Promise<void>;
}

/**
 * Make the monitor for `orch up` (it owns the server) or `orch monitor` (attached). Its modules
 * start loading at once: make it before the slow part of start-up, then `run` it.
 */
export function createMonitor(options: MonitorOptions): Monitor {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  let quit: () => void = () => {};
  const quitting = new Promise<void>((resolve) => {
    quit = resolve;
  });
  // Ink and React (over 100 ms) load from now on, while the caller connects or starts its server.
  const modules = Promise.all([importInk(), import("react"), import("./Monitor.tsx")]);
  // A failure is reported by `run`; the monitor may never run (its command failed first).
  modules.catch(() => {});
  const store = createMonitorStore({
    mode: options.mode,
    size: { cols: stdout.columns || 80, rows: stdout.rows || 24 },
    maxRuns: options.maxRuns,
    onQuit: () => quit(),
  });
  return {
    store,
    logger: store.logger,
    async run(client, { until } = {}) {
      void store.start(client);
      const [ink, { createElement }, { Monitor }] = await modules;
      stdout.write(ENTER_SCREEN);
      const app = ink.render(createElement(Monitor, { store }), {
        stdout,
        stdin,
        exitOnCtrlC: false,
        patchConsole: false,
      });
      try {
        await Promise.race([quitting, app.waitUntilExit(), ...(until ? [until] : [])]);
      } finally {
        store.stop();
        app.unmount();
        stdout.write(LEAVE_SCREEN);
      }
    },
  };
}
