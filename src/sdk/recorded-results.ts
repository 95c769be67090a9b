/**
 * Recorded results, the flow's side: `orch runs replay` starts the flow with ORCH_REPLAY naming a
 * file of the results a past run recorded for the tasks before the one replayed from, and a
 * snapshot test gives them to testFlow as `recorded`. Each call of a recorded task returns the
 * next recorded value of its name (its task run is Recorded) without running, until the call
 * replayed from; from then on, and for calls past what was recorded, tasks run as written. So a
 * map whose third item failed gives back its first two items' results and runs the third on.
 */
import { readFileSync } from "node:fs";
import type { ReplayFile } from "../core/wire/index.ts";
import type { TaskOverrideSource } from "./task-overrides.ts";

/** Where a replay starts running tasks again: the `call`th call of task `task`. */
export interface ReplayFrom {
  task: string;
  call: number;
}

/**
 * A source of recorded values, each given once, by task name in recorded order, until the call
 * `from` (none: until each task's values run out). With `pause`, a debugger stops before it.
 */
export function recordedSource(
  recorded: Iterable<{ name: string; value: unknown }>,
  from: ReplayFrom | null = null,
  pause = false,
): TaskOverrideSource {
  const values = new Map<string, unknown[]>();
  for (const t of recorded) values.set(t.name, [...(values.get(t.name) ?? []), t.value]);
  let calls = 0;
  let reached = false;
  return (task) => {
    if (!reached && from && task === from.task && ++calls >= from.call) {
      reached = true;
      if (pause) {
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
  const replay = JSON.parse(readFileSync(file, "utf8")) as ReplayFile;
  const from = replay.from === null ? null : { task: replay.from, call: replay.from_call ?? 1 };
  return recordedSource(replay.tasks, from, replay.pause);
}
