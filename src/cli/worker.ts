import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineCommand } from "citty";
import {
  type Client,
  createClient,
  createWorkerClient,
  findServer,
  followServerFile,
} from "../client/index.ts";
import {
  closest,
  findProjectRoot,
  formatDuration,
  isValidName,
  NAME_MESSAGE,
  OrchError,
  parseDuration,
  projectPaths,
} from "../core/index.ts";
import {
  becomeSubreaper,
  journalDir,
  startRemoteWorker,
  stopOrphanedRuns,
} from "../worker/index.ts";
import { connectArgs } from "./connect.ts";
import { wholeNumberArg } from "./number-arg.ts";
import { c, log } from "./output.ts";

/** Where a remote worker caches bundles: ORCH_HOME's bundles/, or .orch-worker/bundles in --dir. */
export function workerBundlesDir(dir: string, env = process.env): string {
  return env.ORCH_HOME
    ? join(resolve(env.ORCH_HOME), "bundles")
    : join(resolve(dir), ".orch-worker", "bundles");
}

/** The token in a file (one line; surrounding blanks are not part of it). */
function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8").trim();
  } catch (error) {
    throw new OrchError(
      "E_BAD_INPUT",
      `--token-file ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`,
    );
  }
  if (!text) throw new OrchError("E_BAD_INPUT", `--token-file ${path} is empty`);
  return text;
}

/** How long running runs may go on after the worker is told to stop, unless --grace says. */
const DEFAULT_GRACE_MS = 5000;

export default defineCommand({
  meta: {
    name: "worker",
    description: "Run flows for a work pool from another shell or machine, through the API",
  },
  args: {
    pool: { type: "string", description: "The work pool to take runs from", default: "default" },
    concurrency: { type: "string", description: "Runs at once", valueHint: "8" },
    name: {
      type: "string",
      description: "The worker's name in listings (default: remote-PID, one per process)",
    },
    ...connectArgs,
    token: {
      type: "string",
      description:
        "The API token (shown by ps to every user here: prefer ORCH_API_TOKEN or --token-file)",
    },
    "token-file": {
      type: "string",
      description: "Read the API token from this file (the server's .orch/token, copied)",
    },
    dir: {
      type: "string",
      description: "Where bundles are cached (.orch-worker/) and flows without files run",
      default: ".",
    },
    grace: {
      type: "string",
      description: "When stopped: how long running runs may go on before they are cancelled",
      valueHint: "5s",
    },
    drain: {
      type: "boolean",
      description: "When stopped: take no new runs and wait for the running ones to end",
    },
  },
  async run({ args }) {
    if (!isValidName(args.pool)) {
      throw new OrchError(
        "E_BAD_INPUT",
        `--pool ${JSON.stringify(args.pool)}: a pool name ${NAME_MESSAGE} (as in work_pools: of a definition)`,
      );
    }
    const concurrency = wholeNumberArg(args.concurrency, "--concurrency", { min: 1, max: 1000 }, 8);
    const graceMs = args.grace === undefined ? DEFAULT_GRACE_MS : parseDuration(args.grace);
    if (graceMs === undefined) {
      throw new OrchError(
        "E_BAD_INPUT",
        `--grace must be a duration such as 30s or 500ms, not ${JSON.stringify(args.grace)}`,
      );
    }
    if (args.token !== undefined) {
      log.warn(
        "--token shows the token to every user of this machine (ps lists a command's arguments); set ORCH_API_TOKEN or pass --token-file instead",
      );
    }
    const token = args["token-file"] === undefined ? args.token : readTokenFile(args["token-file"]);
    const paths = projectPaths(findProjectRoot(args.dir) ?? ".");
    const target = findServer(paths, {
      api: args.api,
      token,
      tokenFrom:
        args["token-file"] === undefined ? "--token" : `--token-file ${args["token-file"]}`,
    });
    if (!target) {
      throw new OrchError(
        "E_BAD_INPUT",
        "orch worker needs a server: pass --api URL and --token-file F (a copy of the server's .orch/token), or set ORCH_API_URL and ORCH_API_TOKEN",
      );
    }
    // The server of the project here (its .orch/server.json): followed if it comes back on
    // another port. Any other: the worker can only keep trying the URL it was given.
    const follow = followServerFile(paths, target.url, (url) =>
      log.info(`orch is at ${url} now (its .orch/server.json); following it there`),
    );
    const api = createClient({ ...target, ...(follow ? { fetch: follow } : {}) });
    const client = createWorkerClient(api);
    const lostHint = follow
      ? `if it comes back elsewhere, ${paths.serverFile} says where`
      : `if orch comes back on another port, this worker cannot know it (no .orch/server.json of that server here): start it again with the new --api, or give orch up a fixed --port`;

    // Ctrl-C (or SIGTERM) once: take no new runs, give the running ones the grace period (or,
    // with --drain, all the time they need); twice: stop them now; three times: leave now.
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

    // Every process this one starts is a run's: what a run leaves behind is re-parented here.
    becomeSubreaper();
    // A worker killed with -9 here left its runs' processes running, and no server may be on
    // this host to stop them: stop them before taking new runs.
    const orphaned = await stopOrphanedRuns(client.url, graceMs);
    if (orphaned.length > 0) {
      log.warn(
        `stopped what ${orphaned.length} run(s) of a worker that was killed left running here: ${orphaned.map((r) => r.runId.slice(0, 8)).join(", ")}`,
      );
    }
    log.info(`joining pool ${args.pool} at ${target.url}…`);
    const bundlesDir = workerBundlesDir(args.dir);
    const worker = await startRemoteWorker({
      client,
      pool: args.pool,
      ...(args.name ? { name: args.name } : {}),
      concurrency,
      bundlesDir,
      workDir: resolve(args.dir),
      token: target.token,
      logger: log,
      lostHint,
      giveUpDeliveringMs: graceMs,
    });
    stopping = true;
    void warnOfUnknownPool(api, args.pool);
    log.success(
      `worker ${worker.name} (${worker.id.slice(0, 8)}) takes runs of pool ${args.pool} from ${c.cyan(target.url, "stderr")}; Ctrl-C stops it`,
    );

    let stopped: Promise<void> | null = null;
    const done = new Promise<void>((resolveDone) => {
      onSignal = (signal) => {
        signals++;
        if (signals === 1) {
          const running = worker.active().length;
          if (!running) log.info(`${signal}: stopping`);
          else if (args.drain)
            log.info(
              `${signal}: taking no more runs; waiting for ${running} to finish (again stops them)`,
            );
          else
            log.info(
              `${signal}: taking no more runs; ${running} running get ${formatDuration(graceMs)} to end before they are cancelled (again stops them now)`,
            );
          stopped = args.drain ? worker.drain() : worker.stop({ graceMs });
        } else if (signals === 2) {
          log.info(`${signal}: stopping the running runs (again leaves at once)`);
          stopped = worker.stop();
        } else {
          log.warn(
            `${signal}: leaving now; states and log lines not yet delivered wait in ${journalDir(bundlesDir)} for the next worker started there`,
          );
          process.exit(130);
        }
        void stopped?.then(() => resolveDone());
      };
    });
    // orch older than this worker: it gave back what it claimed and went offline; say what to do.
    const failed = worker.failed.then((error) => {
      throw error;
    });
    await Promise.race([done, failed]);
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
    log.info("stopped");
    return 0;
  },
});

/**
 * Warn when no definition declares `pool` and no deployment runs in it (a typo of a pool's name
 * joins silently and takes nothing), with a guess. Quiet when orch cannot be asked now.
 */
async function warnOfUnknownPool(api: Client, pool: string): Promise<void> {
  try {
    const [pools, deployments] = await Promise.all([api.listPools(), api.listDeployments()]);
    const known = new Set([
      "default",
      ...pools.filter((p) => p.defined).map((p) => p.name),
      ...deployments.map((d) => d.work_pool),
    ]);
    if (known.has(pool)) return;
    const guess = closest(pool, [...known]);
    log.warn(
      `no definition declares pool ${pool} and no deployment runs in it${guess ? ` (did you mean ${guess}?)` : ""}: this worker takes no runs until one does`,
    );
  } catch {
    // orch not reachable now: the worker waits for it and says so itself.
  }
}
