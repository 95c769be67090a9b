import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "vitest";
import { type Client, createClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { createMonitorStore } from "../../src/tui/monitor-store.ts";
import { reusablePort, tempDir } from "../helpers.ts";
import {
  apiView,
  createRandom,
  difference,
  FILES,
  goodFile,
  monitorView,
  pickOperation,
  type World,
} from "./model.ts";

// The monitor's state must be a function of the server's: a seeded random sequence of what
// users do (through the API and the definition files, with workers coming and going and the
// server restarting) runs against a real server with the monitor's container attached, and
// after each step the monitor holds exactly what the API returns. A failure prints its seed and
// the steps so far; replay it with ORCH_MODEL_SEED=<seed>.
//
// ORCH_MODEL_SEEDS (default 20) seeds of ORCH_MODEL_STEPS steps each. Measured on 2 cores, a
// seed takes about 17 s per 100 steps (the watcher's settle time and the server's restarts
// dominate): 20 seeds of 200 steps are some 12 minutes alone, too long for the suite, which
// runs 20 steps per seed, seeds side by side; `ORCH_MODEL_STEPS=200 npx bun --bun vitest run
// test/tui/model.test.ts` runs the full length.
const SEEDS = Number(process.env.ORCH_MODEL_SEEDS ?? 20);
const STEPS = Number(process.env.ORCH_MODEL_STEPS ?? 20);
const ONLY = process.env.ORCH_MODEL_SEED;
const seeds = ONLY ? [Number(ONLY)] : Array.from({ length: SEEDS }, (_, i) => 1000 + i);
/** How long the monitor may take to catch up with one step. */
const SETTLE_MS = 15_000;

async function runModel(seed: number): Promise<void> {
  const random = createRandom(seed);
  const t = tempDir("orch-model-");
  mkdirSync(join(t.dir, "flows"));
  for (const file of Object.keys(FILES)) {
    writeFileSync(join(t.dir, "flows", file), goodFile(file, random));
  }
  const port = reusablePort();
  let server: OrchServer = await startServer({ dir: t.dir, port, worker: { concurrency: 4 } });
  let client: Client = createClient({ url: server.url, token: server.token });
  const monitor = createMonitorStore({
    mode: "attach",
    timings: { retryMinMs: 20, retryMaxMs: 100, followDelayMs: 10, batchMs: 5 },
  });
  void monitor.start(createClient({ url: server.url, token: server.token }));
  const world: World = {
    dir: t.dir,
    client: () => client,
    random,
    workers: [],
    async restart() {
      await server.stop();
      server = await startServer({ dir: t.dir, port, worker: { concurrency: 4 } });
      client = createClient({ url: server.url, token: server.token });
    },
  };
  const log: string[] = [];
  try {
    for (let step = 0; step <= STEPS; step++) {
      if (step > 0) {
        const [name, op] = pickOperation(random);
        const did = await op(world).catch((error: Error) => {
          throw new Error(
            `seed ${seed}, step ${step} (${name}): ${error.message}\n` +
              `replay: ORCH_MODEL_SEED=${seed} ORCH_MODEL_STEPS=${STEPS}\nsteps:\n${log.slice(-15).join("\n")}`,
          );
        });
        log.push(`${step}: ${did}`);
      }
      const deadline = Date.now() + SETTLE_MS;
      for (;;) {
        const api = await apiView(client);
        const state = monitor.getState();
        const seen = monitorView(state);
        const diff = state.server.status === "online" ? difference(api, seen) : "offline";
        if (!diff) break;
        if (Date.now() > deadline) {
          throw new Error(
            `seed ${seed}, after step ${step}: the monitor differs from the API in ${diff}\n` +
              `replay: ORCH_MODEL_SEED=${seed} ORCH_MODEL_STEPS=${STEPS}\nsteps:\n${log.slice(-15).join("\n")}`,
          );
        }
        await Bun.sleep(15);
      }
    }
  } finally {
    monitor.stop();
    await server.stop();
    t.cleanup();
  }
}

test.concurrent.each(seeds)(
  "seed %i: after every step the monitor's runs, deployments, workers, counts and problems equal the API's",
  async (seed) => {
    await runModel(seed);
  },
  STEPS * 3_000 + 60_000,
);
