import type { ArgsDef, CommandDef } from "citty";
import { OrchError } from "../core/index.ts";

type Loader = () => Promise<CommandDef<ArgsDef>>;

/** A command module's default export, typed loosely: each module checks its own args. */
const load =
  (importer: () => Promise<{ default: unknown }>): Loader =>
  async () =>
    (await importer()).default as CommandDef<ArgsDef>;

/** One of several commands a module exports by name. */
const named =
  (importer: () => Promise<Record<string, unknown>>, key: string): Loader =>
  async () =>
    (await importer())[key] as CommandDef<ArgsDef>;

/** A command of the design that is not built yet: says so and exits 2. */
const notBuilt =
  (name: string, description: string): Loader =>
  async () => ({
    meta: { name, description: `${description} (not built yet)` },
    args: {},
    run() {
      throw new OrchError("E_NOT_IMPLEMENTED", `orch ${name} is not built yet in orch.`);
    },
  });

const group =
  (name: string, description: string, subCommands: Record<string, Loader>): Loader =>
  async () => ({ meta: { name, description }, subCommands });

/**
 * Every command of orch, loaded only when it runs (or when --help lists them).
 * Descriptions here are the one-liners `orch --help` shows.
 */
export const COMMANDS: Record<string, Loader> = {
  up: load(() => import("./up.ts")),
  init: load(() => import("./init.ts")),
  deploy: load(() => import("./deploy.ts")),
  deployments: group("deployments", "List, inspect, pause, resume or remove deployments", {
    ls: named(() => import("./deployments.ts"), "ls"),
    inspect: named(() => import("./deployments.ts"), "inspect"),
    pause: named(() => import("./deployments.ts"), "pause"),
    resume: named(() => import("./deployments.ts"), "resume"),
    rm: named(() => import("./deployments.ts"), "rm"),
  }),
  run: load(() => import("./run.ts")),
  runs: group("runs", "List, inspect, follow, cancel or retry flow runs", {
    ls: named(() => import("./runs.ts"), "ls"),
    inspect: named(() => import("./runs.ts"), "inspect"),
    logs: named(() => import("./runs.ts"), "logs"),
    cancel: named(() => import("./runs.ts"), "cancel"),
    retry: named(() => import("./runs.ts"), "retry"),
  }),
  flow: group("flow", "Run a TypeScript flow file ad hoc", {
    run: notBuilt("flow run", "Run a TypeScript flow ad hoc, tracked like any run"),
  }),
  worker: notBuilt("worker", "Run flows for a work pool from another shell or machine"),
  monitor: notBuilt("monitor", "Watch a running server in the terminal UI"),
  events: group("events", "Emit events that triggers can match", {
    emit: named(() => import("./events.ts"), "emit"),
  }),
  schema: load(() => import("./schema.ts")),
  version: load(() => import("./version.ts")),
};
