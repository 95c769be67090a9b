/**
 * One peer of the API benchmark, in its own process: `bun scripts/bench-peer.ts bullmq|graphile
 * URL RUNS LATENCY CONCURRENCY`. Each job spawns `true`, as each orch run does; a job is done
 * when the peer reports it completed (BullMQ: its QueueEvents stream, as a client sees it;
 * graphile-worker: the runner's job:success event). Prints one JSON line: trigger-to-completed
 * p50 one at a time, and jobs/s with RUNS added at once.
 */
const [peer, url, runsText, latencyText, concurrencyText] = process.argv.slice(2);
const RUNS = Number(runsText);
const LATENCY = Number(latencyText);
const CONCURRENCY = Number(concurrencyText);

/**
 * A peer's package, loaded only when measured. The name is not a literal on purpose: the peers
 * are optional devDependencies, and a checkout that has not installed them still typechecks.
 */
// biome-ignore lint/suspicious/noExplicitAny: the peers' own types are not needed to drive them
const load = (name: string): Promise<any> => import(name);

/** What the measuring needs of a queue: add a job (its id), wait for one, close. */
interface Peer {
  add(): Promise<string>;
  addMany(n: number): Promise<string[]>;
  completed(id: string): Promise<void>;
  close(): Promise<void>;
}

/** Turns "job X completed" notices into promises, whichever comes first. */
function completions() {
  const done = new Set<string>();
  const waiting = new Map<string, () => void>();
  return {
    mark(id: string) {
      done.add(id);
      waiting.get(id)?.();
    },
    wait(id: string): Promise<void> {
      if (done.has(id)) return Promise.resolve();
      return new Promise((resolve) => waiting.set(id, resolve));
    },
  };
}

async function bullmq(port: number): Promise<Peer> {
  const { Queue, QueueEvents, Worker } = await load("bullmq");
  const connection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };
  const queue = new Queue("bench", { connection });
  const events = new QueueEvents("bench", { connection });
  await events.waitUntilReady();
  const seen = completions();
  events.on("completed", ({ jobId }: { jobId: string }) => seen.mark(jobId));
  const worker = new Worker(
    "bench",
    async () => {
      await Bun.spawn(["true"]).exited;
    },
    { connection, concurrency: CONCURRENCY },
  );
  await worker.waitUntilReady();
  const opts = { removeOnComplete: true, removeOnFail: true };
  return {
    add: async () => (await queue.add("spawn", {}, opts)).id!,
    addMany: async (n) =>
      (await Promise.all(Array.from({ length: n }, () => queue.add("spawn", {}, opts)))).map(
        (j) => j.id!,
      ),
    completed: seen.wait,
    async close() {
      await worker.close();
      await events.close();
      await queue.close();
    },
  };
}

async function graphile(connectionString: string): Promise<Peer> {
  const { Logger, makeWorkerUtils, run } = await load("graphile-worker");
  // Quiet: its default logger prints a line per job, which would be measured too.
  const logger = new Logger(() => () => {});
  const utils = await makeWorkerUtils({ connectionString, logger });
  await utils.migrate();
  const seen = completions();
  const runner = await run({
    connectionString,
    concurrency: CONCURRENCY,
    noHandleSignals: true,
    pollInterval: 1000,
    crontab: "",
    logger,
    taskList: {
      spawn: async () => {
        await Bun.spawn(["true"]).exited;
      },
    },
  });
  runner.events.on("job:success", ({ job }: { job: { id: string } }) => seen.mark(String(job.id)));
  const add = async () => String((await utils.addJob("spawn", {})).id);
  return {
    add,
    addMany: (n) => Promise.all(Array.from({ length: n }, add)),
    completed: seen.wait,
    async close() {
      await runner.stop();
      await utils.release();
    },
  };
}

const queue = peer === "bullmq" ? await bullmq(Number(url)) : await graphile(url!);
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const roundTrip = async () => queue.completed(await queue.add());
for (let i = 0; i < 20; i++) await roundTrip();
const times: number[] = [];
for (let i = 0; i < LATENCY; i++) {
  const t = performance.now();
  await roundTrip();
  times.push(performance.now() - t);
}
const started = performance.now();
const ids = await queue.addMany(RUNS);
await Promise.all(ids.map(queue.completed));
const rate = RUNS / ((performance.now() - started) / 1000);
await queue.close();
console.log(
  JSON.stringify({
    p50_ms: Number(percentile(times, 50).toFixed(3)),
    runs_per_s: Math.round(rate),
  }),
);
process.exit(0);

export {};
