import { listDefinedPools } from "../store/index.ts";
import {
  type EmbeddedWorker,
  type EmbeddedWorkerOptions,
  startEmbeddedWorker,
} from "./embedded-worker.ts";
import type { StopOptions } from "./stop-with-grace.ts";

/**
 * The workers `orch up` runs in-process: one for the `default` pool (it recovers what a previous
 * orch left running, first), then one for each pool a definition file declares (process or
 * docker: every type this executable runs), and one more for each pool declared later while it
 * runs. Together they behave as one EmbeddedWorker; `id` is the default pool's worker.
 */
export async function startPoolWorkers(options: EmbeddedWorkerOptions): Promise<EmbeddedWorker> {
  const { store } = options;
  const main = await startEmbeddedWorker({ ...options, pool: options.pool ?? "default" });
  const workers = new Map<string, EmbeddedWorker>([[options.pool ?? "default", main]]);
  const starting = new Map<string, Promise<void>>();
  let stopped = false;

  const serve = (pool: string) => {
    if (stopped || workers.has(pool) || starting.has(pool)) return;
    const started = startEmbeddedWorker({ ...options, pool, recover: false })
      .then(async (worker) => {
        if (stopped) await worker.stop();
        else workers.set(pool, worker);
      })
      .catch((error) => options.logger?.error(`could not start a worker for pool ${pool}:`, error))
      .finally(() => starting.delete(pool));
    starting.set(pool, started);
  };
  for (const pool of listDefinedPools(store)) serve(pool.name);
  await Promise.all(starting.values());
  const unsubscribe = store.subscribe((event) => {
    if (event.name === "work-pool.updated" && event.resource) {
      const pool = event.resource;
      // Declared by a definition (a type is set) since: serve it too.
      if (listDefinedPools(store).some((p) => p.name === pool)) serve(pool);
    }
  });

  const all = () => [...workers.values()];
  const finish = async (each: (w: EmbeddedWorker) => Promise<void>) => {
    stopped = true;
    unsubscribe();
    await Promise.all(starting.values());
    await Promise.all(all().map(each));
  };
  return {
    id: main.id,
    wake: () => {
      for (const w of all()) w.wake();
    },
    claimNow: (pool) => workers.get(pool)?.claimNow(pool) ?? [],
    cancel: (runId) => main.cancel(runId),
    active: () => all().flatMap((w) => w.active()),
    stop: (how?: StopOptions) => finish((w) => w.stop(how)),
    drain: () => finish((w) => w.drain()),
  };
}
