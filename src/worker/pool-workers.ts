import { listEmbeddedPools, type Store } from "../store/index.ts";
import { startEmbeddedWorker } from "./embedded-worker.ts";
import type { EmbeddedWorker, EmbeddedWorkerOptions } from "./embedded-worker-options.ts";
import type { StopOptions } from "./stop-with-grace.ts";

/** Whether a definition asks orch up to serve `pool` (embedded_worker: true). */
const isEmbedded = (store: Store, pool: string) =>
  listEmbeddedPools(store).some((p) => p.name === pool);

/**
 * The workers `orch up` runs in-process: one for the `default` pool (it recovers what a previous
 * orch left running, first), then one for each pool a definition file asks it to serve
 * (`embedded_worker: true`; process or docker: every type this executable runs). Why not every
 * declared pool: a pool is where runs wait, and declaring one (for its limit, or for workers on
 * other machines) must not make this machine run its jobs. A pool asked for later gets its
 * worker then; one no longer asked for (or no longer declared) sees its worker drain and go.
 * Together they behave as one EmbeddedWorker; `id` is the default pool's worker.
 */
export async function startPoolWorkers(options: EmbeddedWorkerOptions): Promise<EmbeddedWorker> {
  const { store } = options;
  const home = options.pool ?? "default";
  const main = await startEmbeddedWorker({ ...options, pool: home });
  const workers = new Map<string, EmbeddedWorker>([[home, main]]);
  const starting = new Map<string, Promise<void>>();
  /** Workers of pools no longer served, finishing their runs. */
  const leaving = new Set<EmbeddedWorker>();
  let stopped = false;

  const retire = (worker: EmbeddedWorker) => {
    leaving.add(worker);
    void worker
      .drain()
      .catch((error) => options.logger?.error("stopping a pool's worker failed:", error))
      .finally(() => leaving.delete(worker));
  };
  const serve = (pool: string) => {
    if (stopped || workers.has(pool) || starting.has(pool)) return;
    const started = startEmbeddedWorker({ ...options, pool, recover: false })
      .then(async (worker) => {
        if (stopped) await worker.stop();
        // Undeclared while it started: it goes at once.
        else if (!isEmbedded(store, pool)) retire(worker);
        else workers.set(pool, worker);
      })
      .catch((error) => options.logger?.error(`could not start a worker for pool ${pool}:`, error))
      .finally(() => starting.delete(pool));
    starting.set(pool, started);
  };
  for (const pool of listEmbeddedPools(store)) serve(pool.name);
  await Promise.all(starting.values());
  const unsubscribe = store.subscribe((event) => {
    const pool = event.resource;
    if (event.name !== "work-pool.updated" || !pool || pool === home) return;
    if (isEmbedded(store, pool)) return serve(pool);
    const worker = workers.get(pool);
    if (!worker) return;
    workers.delete(pool);
    retire(worker);
  });

  const all = () => [...workers.values(), ...leaving];
  const finish = async (each: (w: EmbeddedWorker) => Promise<void>) => {
    stopped = true;
    unsubscribe();
    await Promise.all(starting.values());
    await Promise.all(all().map(each));
  };
  return {
    id: main.id,
    wake: () => {
      for (const w of workers.values()) w.wake();
    },
    claimNow: (pool, made) => workers.get(pool)?.claimNow(pool, made) ?? [],
    startAs: (pool, made) => workers.get(pool)?.startAs(pool, made) ?? null,
    cancel: (runId) => main.cancel(runId),
    settle: (runId) => {
      for (const w of all()) w.settle(runId);
    },
    active: () => all().flatMap((w) => w.active()),
    stop: (how?: StopOptions) => finish((w) => w.stop(how)),
    drain: () => finish((w) => w.drain()),
  };
}
