/**
 * Replay, the flow's side: `orch runs replay` starts the flow with ORCH_REPLAY naming a file of
 * the results a past run recorded for the tasks before the one replayed from. Until that task is
 * called, each call of a recorded task returns the next recorded value of its name (recorded as
 * Recorded) without running; from then on, and for calls past what was recorded, tasks run.
 */
import { readFileSync } from "node:fs";
import type { ReplayFile } from "../core/wire/index.ts";
import type { TaskOverrideSource } from "./task-overrides.ts";

/** A source of the values in `replay`, each given once, by task name in recorded order. */
export function recordedSource(replay: ReplayFile): TaskOverrideSource {
  const values = new Map<string, unknown[]>();
  for (const t of replay.tasks) values.set(t.name, [...(values.get(t.name) ?? []), t.value]);
  let reached = false;
  return (task) => {
    if (task === replay.from && !reached) {
      reached = true;
      if (replay.pause) {
        // A debugger is attached (replay --inspect): the task replayed from runs next. Its
        // flow file is loaded now, so breakpoints set in it hold; continue to run the task.
        // biome-ignore lint/suspicious/noDebugger: the replay's stop before the task it replays
        debugger;
      }
    }
    if (reached) return undefined;
    const list = values.get(task);
    if (!list?.length) return undefined;
    return { reason: "recorded", value: list.shift() };
  };
}

/** The recorded results this process replays (ORCH_REPLAY), or null when it replays nothing. */
export function loadRecordedResults(): TaskOverrideSource | null {
  const file = process.env.ORCH_REPLAY;
  if (!file) return null;
  return recordedSource(JSON.parse(readFileSync(file, "utf8")) as ReplayFile);
}
