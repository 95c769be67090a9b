/**
 * The terminal UI. Importing this loads no Ink or React: `createMonitor(...).run()` loads them,
 * while the data loads, so other commands never pay for them.
 */

export type { Action } from "./action.ts";
export { createMonitor, type Monitor, type MonitorOptions } from "./create-monitor.ts";
export { interpretKey, type KeyPress } from "./keymap.ts";
export { createMonitorStore, type MonitorStore } from "./monitor-store.ts";
export { reduce } from "./reduce.ts";
export { initialState, type MonitorState } from "./state.ts";
