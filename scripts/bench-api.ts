/**
 * API benchmark (`npm run bench -- --only api`), as users reach orch:
 * - through HTTP (bench-api-http.ts): `orch up` in its own process, runs triggered with POST and
 *   seen COMPLETED on the event stream, beside raw spawn and a bare Bun.serve in the same run;
 * - the peers on Bun (bench-peers.ts): BullMQ with Redis, graphile-worker with Postgres, each
 *   skipped with a line when its server is not installed;
 * - a real server over a store of a million runs (bench-million-runs.ts): the runs listing's
 *   pages and filters and their query plans, 1,000 concurrent requests all answered, and health
 *   checks while a flow prints a million lines.
 * Prints one JSON line.
 */
import { benchApiHttp, type HttpBenchOptions } from "./bench-api-http.ts";
import { benchMillionRuns } from "./bench-million-runs.ts";
import { benchPeers } from "./bench-peers.ts";

/** Through HTTP, the peers (with orch's ratio to each) and the store of a million runs. */
export async function benchApi(options: HttpBenchOptions) {
  const through_http = await benchApiHttp(options);
  const peers = await benchPeers(options);
  const orch = {
    p50_ms: through_http.trigger_to_completed_ms.orch_p50,
    runs_per_s: through_http.throughput_runs_per_s.orch,
  };
  const versus = Object.fromEntries(
    Object.entries(peers).map(([name, peer]) => [
      name,
      "skipped" in peer
        ? peer
        : {
            ...peer,
            orch_p50_ratio: Math.round((orch.p50_ms / peer.p50_ms) * 100) / 100,
            orch_runs_per_s_ratio: Math.round((orch.runs_per_s / peer.runs_per_s) * 100) / 100,
          },
    ]),
  );
  return { through_http, peers: versus, million_runs: await benchMillionRuns() };
}

if (import.meta.main)
  console.log(JSON.stringify({ api: await benchApi({ runs: 500, latency: 200, concurrency: 8 }) }));
