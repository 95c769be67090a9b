import { join, resolve } from "node:path";
import { defineCommand } from "citty";
import { createClient, createWorkerClient, findServer } from "../client/index.ts";
import { findProjectRoot, OrchError, projectPaths } from "../core/index.ts";
import { startRemoteWorker } from "../worker/index.ts";
import { connectArgs } from "./connect.ts";
import { c, log } from "./output.ts";

/** Where a remote worker caches bundles: ORCH_HOME's bundles/, or .orch-worker/bundles in --dir. */
export function workerBundlesDir(dir: string, env = process.env): string {
  return env.ORCH_HOME
    ? join(resolve(env.ORCH_HOME), "bundles")
    : join(resolve(dir), ".orch-worker", "bundles");
}

export default defineCommand({
  meta: {
    name: "worker",
    description: "Run flows for a work pool from another shell or machine, through the API",
  },
  args: {
    pool: { type: "string", description: "The work pool to take runs from", default: "default" },
    concurrency: { type: "string", description: "Runs at once", valueHint: "8" },
    name: { type: "string", description: "The worker's name in listings", default: "remote" },
    ...connectArgs,
    dir: {
      type: "string",
      description: "Where bundles are cached (.orch-worker/) and flows without files run",
      default: ".",
    },
  },
  async run({ args }) {
    const concurrency = args.concurrency === undefined ? 8 : Number(args.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
      throw new OrchError(
        "E_BAD_INPUT",
        `--concurrency must be a whole number from 1 to 1000, not ${JSON.stringify(args.concurrency)}`,
      );
    }
    const target = findServer(projectPaths(findProjectRoot(args.dir) ?? "."), args);
    if (!target) {
      throw new OrchError(
        "E_BAD_INPUT",
        "orch worker needs a server: pass --api URL and --token T (the server's .orch/token), or set ORCH_API_URL and ORCH_API_TOKEN",
      );
    }
    const client = createWorkerClient(createClient(target));

    // Ctrl-C once: finish the running runs; twice: stop them; three times: leave now.
    let signals = 0;
    let onSignal: (signal: string) => void = () => {};
    const handler = (signal: string) => onSignal(signal);
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
    let stopping = false;
    onSignal = () => {
      signals++;
      if (signals >= 3 || !stopping) process.exit(130);
    };

    log.info(`joining pool ${args.pool} at ${target.url}…`);
    const worker = await startRemoteWorker({
      client,
      pool: args.pool,
      name: args.name,
      concurrency,
      bundlesDir: workerBundlesDir(args.dir),
      workDir: resolve(args.dir),
      token: target.token,
      logger: log,
    });
    stopping = true;
    log.success(
      `worker ${args.name} (${worker.id.slice(0, 8)}) takes runs of pool ${args.pool} from ${c.cyan(target.url, process.stderr)}; Ctrl-C stops it`,
    );

    let stopped: Promise<void> | null = null;
    const done = new Promise<void>((resolveDone) => {
      onSignal = (signal) => {
        signals++;
        if (signals === 1) {
          const running = worker.active().length;
          log.info(
            running
              ? `${signal}: taking no more runs; waiting for ${running} to finish (again stops them)`
              : `${signal}: stopping`,
          );
          stopped = worker.drain();
        } else if (signals === 2) {
          log.info(`${signal}: stopping the running runs (again leaves at once)`);
          stopped = worker.stop();
        } else {
          log.warn(`${signal}: leaving now; states and logs not yet delivered are lost`);
          process.exit(130);
        }
        void stopped?.then(() => resolveDone());
      };
    });
    await done;
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
    log.info("stopped");
    return 0;
  },
});
