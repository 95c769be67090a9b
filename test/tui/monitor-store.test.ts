import { Database } from "bun:sqlite";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { createMonitorStore, type MonitorStore } from "../../src/tui/monitor-store.ts";
import { selectedRun } from "../../src/tui/select.ts";
import type { MonitorState } from "../../src/tui/state.ts";
import { reusablePort, tempDir } from "../helpers.ts";

const HELLO = `deployments:
  - name: hello
    command: ["sh", "-c", "echo hello, {{ parameters.name }}; echo done >&2"]
    parameters: { name: world }
  - name: nightly
    command: ["true"]
    schedules:
      - cron: "0 3 * * *"
`;

/** Resolve once the store's state satisfies `ok` (checked now and on each change). */
function waitFor(store: MonitorStore, ok: (s: MonitorState) => boolean, ms = 10_000) {
  return new Promise<MonitorState>((resolve, reject) => {
    if (ok(store.getState())) return resolve(store.getState());
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out; state: ${JSON.stringify(store.getState().events.slice(-3))}`));
    }, ms);
    const stop = store.subscribe(() => {
      if (!ok(store.getState())) return;
      clearTimeout(timer);
      stop();
      resolve(store.getState());
    });
  });
}

let t: ReturnType<typeof tempDir>;
let server: OrchServer;
let store: MonitorStore;

beforeEach(async () => {
  t = tempDir("orch-tui-");
  mkdirSync(join(t.dir, "flows"));
  writeFileSync(join(t.dir, "flows", "hello.yaml"), HELLO);
  // A port a restart can take again (one test stops the server and starts it at the same URL).
  server = await startServer({ dir: t.dir, port: reusablePort() });
  store = createMonitorStore({
    mode: "attach",
    timings: { retryMinMs: 50, retryMaxMs: 200, followDelayMs: 10, batchMs: 5 },
  });
  void store.start(createClient({ url: server.url, token: server.token }));
});

afterEach(async () => {
  store.stop();
  await server.stop();
  t.cleanup();
});

describe("the monitor's container against a real server", () => {
  test("loads deployments and workers, then shows a triggered run live to COMPLETED with its logs", async () => {
    const s = await waitFor(
      store,
      (s) => s.server.status === "online" && s.deployments.length === 2,
    );
    expect(s.deployments.map((d) => d.name)).toEqual(["hello", "nightly"]);
    expect(s.workers.map((w) => w.name)).toContain("embedded");
    await store.perform({ type: "trigger", deployment: "hello", parameters: { name: "tui" } });
    const done = await waitFor(
      store,
      (s) =>
        selectedRun(s)?.state === "COMPLETED" &&
        s.logs.ended &&
        s.logs.lines.some((l) => l.line === "hello, tui"),
    );
    expect(done.logs.lines.map((l) => [l.stream, l.line])).toEqual([
      ["stdout", "hello, tui"],
      ["stderr", "done"],
    ]);
    expect(done.events.at(-1)?.text).toMatch(/^triggered hello: run /);
  });

  test("details of a run listed at start fetch its state history", async () => {
    const client = createClient({ url: server.url, token: server.token });
    const run = await client.triggerRun("hello");
    await waitFor(store, (s) => s.runs.byId.get(run.id)?.state === "COMPLETED");
    const fresh = createMonitorStore({ timings: { batchMs: 5, followDelayMs: 10 } });
    void fresh.start(client);
    try {
      await waitFor(fresh, (s) => s.runs.byId.has(run.id));
      expect("states" in fresh.getState().runs.byId.get(run.id)!).toBe(false);
      fresh.dispatch({ type: "details", runId: run.id });
      const s = await waitFor(fresh, (s) => "states" in (s.runs.byId.get(run.id) ?? {}));
      const held = s.runs.byId.get(run.id)!;
      expect("states" in held && held.states.map((x) => x.type)).toEqual([
        "SCHEDULED",
        "PENDING",
        "RUNNING",
        "COMPLETED",
      ]);
      await waitFor(fresh, (s) => s.logs.runId === run.id && s.logs.ended);
    } finally {
      fresh.stop();
    }
  });

  test("the open run's task runs follow the flow's reports live, with no change of the run's state", async () => {
    const client = createClient({ url: server.url, token: server.token });
    const run = await client.triggerRun("hello");
    await waitFor(store, (s) => s.runs.byId.get(run.id)?.state === "COMPLETED");
    store.dispatch({ type: "details", runId: run.id });
    await waitFor(store, (s) => "tasks" in (s.runs.byId.get(run.id) ?? {}));
    const at = new Date().toISOString();
    const report = (state: string, ended: string | null) =>
      fetch(`${server.url}/api/runs/${run.id}/tasks`, {
        method: "POST",
        headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
        body: JSON.stringify({
          tasks: [
            { id: "t1", name: "extract", state, attempts: 1, started_at: at, ended_at: ended },
          ],
        }),
      }).then((r) => expect(r.status).toBe(200));
    const tasksOf = (s: MonitorState) => {
      const held = s.runs.byId.get(run.id);
      return held && "tasks" in held ? held.tasks.map((t) => `${t.name}:${t.state}`) : [];
    };
    await report("RUNNING", null);
    await waitFor(store, (s) => tasksOf(s).join() === "extract:RUNNING");
    await report("FAILED", at);
    await waitFor(store, (s) => tasksOf(s).join() === "extract:FAILED");
  });

  test("an invalid definition file shows on the event line with file:line and the message", async () => {
    await waitFor(store, (s) => s.server.status === "online");
    writeFileSync(
      join(t.dir, "flows", "bad.yaml"),
      'deployments:\n  - name: bad\n    command: ["true"]\n    schedules:\n      - cron: "61 * * * *"\n',
    );
    const s = await waitFor(store, (s) => s.events.some((e) => e.level === "error"));
    expect(s.events.find((e) => e.level === "error")?.text).toMatch(
      /flows\/bad\.yaml:5:\d+: .*cron/,
    );
  });

  test("a trigger whose action fails shows on the event line, saying why", async () => {
    await waitFor(store, (s) => s.server.status === "online");
    writeFileSync(
      join(t.dir, "flows", "guard.yaml"),
      'deployments:\n  - name: guard\n    command: ["true"]\n    triggers:\n      - on: ops.stop\n        actions: [{ pause: gone }]\n',
    );
    await waitFor(store, (s) => s.deployments.some((d) => d.name === "guard"));
    const client = createClient({ url: server.url, token: server.token });
    await client.emitEvent({ name: "ops.stop" });
    const failed = (e: { level: string; text: string }) =>
      e.level === "warn" && e.text.includes("of guard");
    const s = await waitFor(store, (s) => s.events.some(failed));
    expect(s.events.find(failed)?.text).toMatch(
      /^the trigger triggers\[0\] of guard could not run its pause action on ops\.stop #\d+: .*gone/,
    );
  });

  test("pausing and resuming a deployment comes back through the client", async () => {
    await waitFor(store, (s) => s.deployments.length === 2);
    await store.perform({ type: "pause", deployment: "nightly", paused: true });
    await waitFor(store, (s) => s.deployments.find((d) => d.name === "nightly")?.paused === true);
    await store.perform({ type: "pause", deployment: "nightly", paused: false });
    await waitFor(store, (s) => s.deployments.find((d) => d.name === "nightly")?.paused === false);
  });

  test("online only once the live event stream is open: loaded data alone is still connecting", async () => {
    // The real server, reached through a transport that holds the stream's request until told.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let requested = () => {};
    const streamRequested = new Promise<void>((resolve) => {
      requested = resolve;
    });
    const client = createClient({
      url: server.url,
      token: server.token,
      fetch: async (req) => {
        if (new URL(req.url).pathname === "/api/events/stream") {
          requested();
          await held;
        }
        return fetch(req);
      },
    });
    const fresh = createMonitorStore({ timings: { batchMs: 5, followDelayMs: 10 } });
    const seen: string[] = [];
    fresh.subscribe(() => {
      if (seen.at(-1) !== fresh.getState().server.status) seen.push(fresh.getState().server.status);
    });
    void fresh.start(client);
    try {
      await streamRequested;
      // The snapshot is loaded once the stream is open, so nothing that changes between the
      // two is missed: until then, nothing is shown as known.
      expect(fresh.getState().deployments).toHaveLength(0);
      expect(fresh.getState().loaded).toBe(false);
      expect(fresh.getState().server.status).toBe("connecting");
      release();
      await waitFor(fresh, (s) => s.server.status === "online" && s.deployments.length === 2);
      expect(seen).toEqual(["online"]);
      // And it goes offline as soon as the stream closes.
      await server.stop();
      const s = await waitFor(fresh, (s) => s.server.status === "offline");
      expect(s.server.error).toMatch(/closed the stream|connection to orch was lost|cannot reach/);
    } finally {
      fresh.stop();
    }
  });

  test("a refused token (401) says so on the event line, with what to do", async () => {
    const wrong = createMonitorStore({ timings: { retryMinMs: 50, retryMaxMs: 200 } });
    void wrong.start(createClient({ url: server.url, token: "not-the-token" }));
    try {
      const s = await waitFor(wrong, (s) => s.server.status === "offline");
      expect(s.server.error).toMatch(
        /^401: the token was refused — is this the project's server\? Run the monitor in the project's folder, or pass its --token \(.*token.*\)$/,
      );
      expect(s.loaded).toBe(false);
    } finally {
      wrong.stop();
    }
  });

  test("a failure inside orch (500) fetching a run shows on the event line instead of nothing", async () => {
    const client = createClient({ url: server.url, token: server.token });
    const run = await client.triggerRun("hello");
    await waitFor(store, (s) => s.runs.byId.get(run.id)?.state === "COMPLETED");
    // Break the run's state history in the database under the server: listing the run still
    // works, but its details (GET /api/runs/:id) now fail inside orch.
    const db = new Database(join(t.dir, ".orch", "orch.db"));
    try {
      db.run(
        "UPDATE flow_run_states SET at = 'not a time' WHERE run_seq = (SELECT seq FROM flow_runs WHERE id = ?)",
        [run.id],
      );
    } finally {
      db.close();
    }
    expect((await client.raw("GET", `/api/runs/${run.id}`).catch((e) => e)).status).toBe(500);
    // A monitor that lists the run at start, then opens its details: the fetch meets the 500.
    const fresh = createMonitorStore({ timings: { batchMs: 5, followDelayMs: 10 } });
    void fresh.start(client);
    try {
      await waitFor(fresh, (s) => s.runs.byId.has(run.id));
      fresh.dispatch({ type: "details", runId: run.id });
      const s = await waitFor(fresh, (s) => s.events.some((e) => e.level === "error"));
      expect(s.events.find((e) => e.level === "error")?.text).toMatch(
        new RegExp(
          `^could not load run ${run.id.slice(0, 8)}: 500: orch failed inside \\(.+\\); the server's log \\(orch up's output\\) has the details$`,
        ),
      );
    } finally {
      fresh.stop();
    }
  });

  test("a server that goes away and comes back: offline, then online with what it missed", async () => {
    await waitFor(store, (s) => s.server.status === "online");
    const port = server.port;
    await server.stop();
    await waitFor(store, (s) => s.server.status === "offline");
    server = await startServer({ dir: t.dir, port });
    const client = createClient({ url: server.url, token: server.token });
    const run = await client.triggerRun("hello");
    await waitFor(store, (s) => s.server.status === "online");
    const s = await waitFor(store, (s) => s.runs.byId.get(run.id)?.state === "COMPLETED");
    expect(s.runs.order[0]).toBe(run.id);
  });

  test("an event missed on the way (a gap in the ids) loads everything again", async () => {
    // The stream loses the one event that says nightly was paused: what comes after it (its
    // planned runs deleted) shows the gap, and the monitor reloads rather than guess.
    let dropped = false;
    const lossy = createClient({
      url: server.url,
      token: server.token,
      fetch: async (req) => {
        const res = await fetch(req);
        if (new URL(req.url).pathname !== "/api/events/stream" || !res.body) return res;
        let text = "";
        const decoder = new TextDecoder();
        const encoder = new TextEncoder();
        const body = res.body.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, out) {
              text += decoder.decode(chunk, { stream: true });
              const messages = text.split("\n\n");
              text = messages.pop()!;
              for (const m of messages) {
                if (!dropped && m.includes('"name":"deployment.paused"')) {
                  dropped = true;
                  continue;
                }
                out.enqueue(encoder.encode(`${m}\n\n`));
              }
            },
          }),
        );
        return new Response(body, { status: res.status, headers: res.headers });
      },
    });
    const watcher = createMonitorStore({ timings: { batchMs: 5, retryMinMs: 20 } });
    void watcher.start(lossy);
    try {
      await waitFor(watcher, (s) => s.server.status === "online" && s.deployments.length === 2);
      await createClient({ url: server.url, token: server.token }).pauseDeployment("nightly");
      const s = await waitFor(
        watcher,
        (s) => s.deployments.find((d) => d.name === "nightly")?.paused === true,
      );
      expect(dropped).toBe(true);
      expect([...s.runs.byId.values()].filter((r) => r.state === "SCHEDULED")).toEqual([]);
    } finally {
      watcher.stop();
    }
  });

  test("runs the server deletes leave the monitor: a pause removes the planned ones", async () => {
    const planned = await waitFor(store, (s) =>
      [...s.runs.byId.values()].some((r) => r.deployment === "nightly" && r.state === "SCHEDULED"),
    );
    const ids = [...planned.runs.byId.values()]
      .filter((r) => r.deployment === "nightly")
      .map((r) => r.id);
    await createClient({ url: server.url, token: server.token }).pauseDeployment("nightly");
    const s = await waitFor(store, (s) => ids.every((id) => !s.runs.byId.has(id)));
    expect(s.events.some((e) => e.level === "error")).toBe(false);
  });
});
