import { useSyncExternalStore } from "react";
import type { MonitorStore } from "./monitor-store.ts";
import type { MonitorState } from "./state.ts";

/** The container's state, re-rendering on each change. */
export function useMonitorState(store: Pick<MonitorStore, "getState" | "subscribe">): MonitorState {
  return useSyncExternalStore(store.subscribe, store.getState, store.getState);
}
