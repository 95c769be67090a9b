import { resolve } from "node:path";
import { defineCommand } from "citty";
import { createClient } from "../client/index.ts";
import { formatDuration, OrchError, parseDuration } from "../core/index.ts";
import { isTerminal } from "../core/stdio.ts";
import { type OrchServer, startServer } from "../server/index.ts";
import { becomeSubreaper } from "../worker/index.ts";
import { projectOf } from "./connect.ts";
import { wholeNumberArg } from "./number-arg.ts";
import { c, log } from "./output.ts";

/** How long running runs may go on after orch up is told to stop, unless --grace says. */
const DEFAULT_GRACE_MS = 5000;

export default defineCommand({
  meta: {
    name: "up",
    description: "Start orch: server, scheduler, watcher and worker (and the TUI on a TTY)",
  },
  args: {
    dir: {
      type: "string",
      description:
        "The project root (default: the nearest folder up from here with flows/ or .orch/, else this one)",
    },
    port: { type: "string", description: "The API port (0: any free port)", valueHint: "4200" },
    host: { type: "string", description: "The address to bind", default: "127.0.0.1" },
    headless: { type: "boolean", description: "Plain logs instead of the terminal UI" },
    concurrency: {
      type: "string",
      description: "Runs the embedded worker runs at once",
      valueHint: "8",
    },
    grace: {
      type: "string",
      description:
        "When stopped: how long running runs may go on before they are cancelled (orch was stopped)",
      valueHint: "5s",
    },
    drain: {
      type: "boolean",
      description: "When stopped: take no new runs and wait for the running ones to end",
    },
    otel: {
      type: "string",
      description:
        "Send a span per finished run to this OpenTelemetry collector (OTLP over HTTP, such as http://127.0.0.1:4318); no traces unless given",
      valueHint: "url",
    },
    worker: {
      type: "boolean",
      default: true,
      description: "Run the embedded worker for the default pool",
      negativeDescription: "Run no worker here (remote workers only)",
    },
  },
  async run({ args }) {
    const dir = projectOf(args.dir).root;
    const port = wholeNumberArg(args.port, "--port", { min: 0, max: 65535 }, undefined);
    const graceMs = args.grace === undefined ? DEFAULT_GRACE_MS : parseDuration(args.grace);
    if (graceMs === undefined) {
      throw new OrchError(
        "E_BAD_INPUT",
        `--grace must be a duration such as 30s or 500ms, not ${JSON.stringify(args.grace)}`,
      );
    }
    let stopping: (signal: string) => void = () => {};
    const stopped = new Promise<string>((resolve) => {
      stopping = resolve;
    });
    let server: OrchServer | null = null;
    // Listen for signals before anything starts, so a signal at any moment stops cleanly. The
    // first one stops (with the grace period, or draining); another stops the runs now.
    let stopBegun = false;
    // A second signal before the server is up: stop at once (no grace, no drain) once it is.
    let hurried = false;
    const onSignal = (signal: string) => {
      // The monitor asks before it stops (Ctrl-C there is a key): a signal after that hurries.
      if (!stopBegun) {
        stopBegun = true;
        return stopping(signal);
      }
      log.warn(`${signal}: stopping the running runs now`);
      if (server) void server.worker?.stop();
      else hurried = true;
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    const concurrency = wholeNumberArg(args.concurrency, "--concurrency", { min: 1 }, undefined);
    // On a terminal, the monitor: the server's messages go to its event line, not stderr.
    const tui = !args.headless && isTerminal("stdout") && isTerminal("stdin");
    const monitor = tui ? (await import("../tui/index.ts")).createMonitor({ mode: "up" }) : null;
    // Every process this one starts is a run's: what a run leaves behind is re-parented here.
    becomeSubreaper();
    server = await startServer({
      dir,
      port,
      host: args.host,
      logger: monitor?.logger ?? log,
      worker: args.worker === false ? false : { concurrency },
      logRuns: !monitor,
      otel: otelUrl(args.otel),
      // Up at once: a large project loads behind the API, its progress in the monitor and log.
      waitForLoad: false,
    });
    const how = hurried ? { graceMs: 0, drain: false } : { graceMs, drain: Boolean(args.drain) };
    if (monitor) {
      monitor.logger.info(
        `web UI: ${server.loginUrl()} (a one-time login; orch open makes another)`,
      );
      if (server.reachableAt.length) {
        monitor.logger.info(`other machines reach it at ${server.reachableAt.join(", ")}`);
      }
      await monitor.run(createClient({ url: server.url, token: server.token }), { until: stopped });
      stopBegun = true;
      await server.stop(how);
      log.info(`orch at ${server.url} stopped`);
      return 0;
    }
    // The API answers already; "up" is said once the project is loaded (its progress is logged
    // meanwhile), so a script that waits for this line finds every deployment deployed.
    const loaded = await Promise.race([server.loaded.then(() => true), stopped.then(() => false)]);
    if (loaded) {
      log.success(
        `orch is up at ${c.cyan(server.url, "stderr")} for ${resolve(dir)}; Ctrl-C stops it`,
      );
      log.info(
        `web UI: ${c.cyan(server.loginUrl(), "stderr")} (a one-time login; orch open makes another)`,
      );
      if (server.reachableAt.length) {
        log.info(
          `other machines reach it at ${server.reachableAt.join(", ")} (orch worker --api URL --token-file with a copy of .orch/token)`,
        );
      }
    }
    const signal = await stopped;
    const running = server.worker?.active().length ?? 0;
    if (!running) log.info(`${signal}: stopping`);
    else if (how.drain)
      log.info(`${signal}: taking no new runs; waiting for ${running} to end (again stops them)`);
    else
      log.info(
        `${signal}: taking no new runs; ${running} running get ${formatDuration(graceMs)} to end before they are cancelled (again stops them now)`,
      );
    await server.stop(how);
    log.info("stopped");
    return 0;
  },
});

/** --otel as an http(s) URL, or a clear error. */
function otelUrl(given: string | undefined): string | undefined {
  if (given === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(given);
  } catch {}
  if (!url || !/^https?:$/.test(url.protocol)) {
    throw new OrchError(
      "E_BAD_INPUT",
      `--otel must be the collector's http(s) URL, such as http://127.0.0.1:4318, not ${JSON.stringify(given)}`,
    );
  }
  return given;
}
