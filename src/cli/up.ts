import { resolve } from "node:path";
import { defineCommand } from "citty";
import { createClient } from "../client/index.ts";
import { OrchError } from "../core/index.ts";
import { startServer } from "../server/index.ts";
import { projectOf } from "./connect.ts";
import { c, log } from "./output.ts";

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
    worker: {
      type: "boolean",
      default: true,
      description: "Run the embedded worker for the default pool",
      negativeDescription: "Run no worker here (remote workers only)",
    },
  },
  async run({ args }) {
    const dir = projectOf(args.dir).root;
    const port = args.port === undefined ? undefined : Number(args.port);
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
      throw new OrchError(
        "E_BAD_INPUT",
        `--port must be a number from 0 to 65535, not ${JSON.stringify(args.port)}`,
      );
    }
    let stopping: (signal: string) => void = () => {};
    const stopped = new Promise<string>((resolve) => {
      stopping = resolve;
    });
    // Listen for signals before anything starts, so a signal at any moment stops cleanly.
    process.once("SIGINT", () => stopping("SIGINT"));
    process.once("SIGTERM", () => stopping("SIGTERM"));
    const concurrency = args.concurrency === undefined ? undefined : Number(args.concurrency);
    if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
      throw new OrchError(
        "E_BAD_INPUT",
        `--concurrency must be a whole number of at least 1, not ${JSON.stringify(args.concurrency)}`,
      );
    }
    // On a terminal, the monitor: the server's messages go to its event line, not stderr.
    const tui = !args.headless && process.stdout.isTTY && process.stdin.isTTY;
    const monitor = tui ? (await import("../tui/index.ts")).createMonitor({ mode: "up" }) : null;
    const server = await startServer({
      dir,
      port,
      host: args.host,
      logger: monitor?.logger ?? log,
      worker: args.worker === false ? false : { concurrency },
      logRuns: !monitor,
    });
    if (monitor) {
      await monitor.run(createClient({ url: server.url, token: server.token }), { until: stopped });
      await server.stop();
      log.info(`orch at ${server.url} stopped`);
      return 0;
    }
    log.success(
      `orch is up at ${c.cyan(server.url, process.stderr)} for ${resolve(dir)}; Ctrl-C stops it`,
    );
    log.info(`${await stopped}: stopping`);
    await server.stop();
    log.info("stopped");
    return 0;
  },
});
