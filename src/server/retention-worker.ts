// The retention pass on its own thread and its own connection to the store (see
// start-retention.ts for why). Messages in: {type: "pass", db, paths, now} then maybe
// {type: "stop"}; out: {type: "done", result} or {type: "failed", message}.
import type { ProjectPaths } from "../core/index.ts";
import { openStore } from "../store/index.ts";
import { runRetentionPass } from "./retention-pass.ts";

declare const self: Worker;

/** The pass was asked to stop: it ends at its next slice. */
class Stopped extends Error {}

let stopped = false;

/** Between slices: a short rest lets the server's own writes take the write lock. */
const pause = () =>
  new Promise<void>((resolve, reject) =>
    setTimeout(() => (stopped ? reject(new Stopped()) : resolve()), 2),
  );

self.onmessage = async (event: MessageEvent) => {
  const message = event.data as
    | { type: "pass"; db: string; paths: ProjectPaths; now: number }
    | { type: "stop" };
  if (message.type === "stop") {
    stopped = true;
    return;
  }
  try {
    const store = openStore(message.db, { backupsDir: false });
    try {
      const result = await runRetentionPass(store, message.paths, message.now, pause);
      self.postMessage({ type: "done", result });
    } finally {
      store.close();
    }
  } catch (error) {
    if (error instanceof Stopped) self.postMessage({ type: "stopped" });
    else self.postMessage({ type: "failed", message: (error as Error)?.stack ?? String(error) });
  }
};
