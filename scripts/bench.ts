/**
 * orch's benchmark (`npm run bench`): the run engine beside raw Bun.spawn in the same process,
 * deployments from 1,000 definition files, and the API over a million runs. Prints one JSON line
 * with every figure, ratio and target. `--only runs|deploy|api` runs one section.
 */
import { parseArgs } from "node:util";
import { benchApi } from "./bench-api.ts";
import { benchDeploy } from "./bench-deploy.ts";
import { benchRuns } from "./bench-runs.ts";

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    runs: { type: "string", default: "500" },
    latency: { type: "string", default: "200" },
    concurrency: { type: "string", default: "8" },
    lines: { type: "string", default: "1000000" },
  },
});

const sections: Record<string, () => Promise<unknown>> = {
  runs: () =>
    benchRuns({
      runs: Number(values.runs),
      latency: Number(values.latency),
      concurrency: Number(values.concurrency),
      lines: Number(values.lines),
    }),
  deploy: benchDeploy,
  api: benchApi,
};

const result: Record<string, unknown> = {};
for (const [name, run] of Object.entries(sections)) {
  if (values.only && values.only !== name) continue;
  result[name] = await run();
}
console.log(JSON.stringify(result));
