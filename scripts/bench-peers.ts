/**
 * BullMQ (Redis) and graphile-worker (Postgres), on Bun, measured the way the API benchmark
 * measures orch: each job spawns `true`; trigger-to-completed one at a time, and jobs/s with
 * many added at once at the same concurrency. Each peer runs in its own process against a
 * server started for it (bench-peer-servers.ts); a peer whose server is not installed is
 * skipped with a line saying so.
 */
import { join } from "node:path";
import { type PeerStart, startPostgres, startRedis } from "./bench-peer-servers.ts";

/** One peer's figures, or why it was skipped. */
export type PeerFigures = { p50_ms: number; runs_per_s: number } | { skipped: string };

const PEERS: [name: string, script: "bullmq" | "graphile", start: () => Promise<PeerStart>][] = [
  ["bullmq_redis", "bullmq", startRedis],
  ["graphile_worker_postgres", "graphile", startPostgres],
];

/** Measure each peer; figures by name. */
export async function benchPeers(options: {
  runs: number;
  latency: number;
  concurrency: number;
}): Promise<Record<string, PeerFigures>> {
  const figures: Record<string, PeerFigures> = {};
  for (const [name, script, start] of PEERS) {
    const server = await start().catch((error: Error) => ({ skipped: error.message }));
    if ("skipped" in server) {
      console.error(`bench: ${name} skipped: ${server.skipped}`);
      figures[name] = server;
      continue;
    }
    try {
      const proc = Bun.spawn(
        [
          process.execPath,
          join(import.meta.dir, "bench-peer.ts"),
          script,
          server.url,
          String(options.runs),
          String(options.latency),
          String(options.concurrency),
        ],
        { stdout: "pipe", stderr: "inherit" },
      );
      const out = await new Response(proc.stdout).text();
      figures[name] =
        (await proc.exited) === 0
          ? (JSON.parse(out.trim().split("\n").at(-1)!) as PeerFigures)
          : { skipped: `its benchmark failed (exit ${proc.exitCode})` };
    } finally {
      await server.stop();
    }
  }
  return figures;
}
