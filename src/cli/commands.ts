import type { ArgsDef, CommandDef } from "citty";

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
  test: load(() => import("./test.ts")),
  deployments: group(
    "deployments",
    "List, inspect, pause, resume, remove or roll back deployments",
    {
      ls: named(() => import("./deployments.ts"), "ls"),
      inspect: named(() => import("./deployments.ts"), "inspect"),
      pause: named(() => import("./deployments.ts"), "pause"),
      resume: named(() => import("./deployments.ts"), "resume"),
      rm: named(() => import("./deployments.ts"), "rm"),
      rollback: named(() => import("./deployments.ts"), "rollback"),
    },
  ),
  run: load(() => import("./run.ts")),
  runs: group(
    "runs",
    "List, inspect, follow, cancel, retry, replay, resume or prune flow runs; read their results and artifacts; snapshot one into a test",
    {
      ls: named(() => import("./runs.ts"), "ls"),
      inspect: load(() => import("./runs-inspect.ts")),
      logs: named(() => import("./runs.ts"), "logs"),
      cancel: named(() => import("./runs.ts"), "cancel"),
      retry: load(() => import("./runs-retry.ts")),
      replay: load(() => import("./runs-replay.ts")),
      snapshot: load(() => import("./runs-snapshot.ts")),
      resume: load(() => import("./runs-resume.ts")),
      prune: named(() => import("./runs.ts"), "prune"),
      result: named(() => import("./run-data.ts"), "result"),
      artifacts: named(() => import("./run-data.ts"), "artifacts"),
    },
  ),
  flow: group("flow", "Run a TypeScript flow file ad hoc", {
    run: load(() => import("./flow-run.ts")),
  }),
  backfill: load(() => import("./backfill.ts")),
  backfills: group("backfills", "List, inspect, pause, resume or cancel backfills", {
    ls: named(() => import("./backfills.ts"), "ls"),
    inspect: named(() => import("./backfills.ts"), "inspect"),
    pause: named(() => import("./backfills.ts"), "pause"),
    resume: named(() => import("./backfills.ts"), "resume"),
    cancel: named(() => import("./backfills.ts"), "cancel"),
  }),
  "wake-unit": load(() => import("./wake-unit.ts")),
  cache: group("cache", "List or clear the values cached tasks kept", {
    ls: named(() => import("./cache.ts"), "ls"),
    clear: named(() => import("./cache.ts"), "clear"),
  }),
  worker: load(() => import("./worker.ts")),
  workers: group("workers", "List the workers online: pool, host, heartbeat, runs now", {
    ls: named(() => import("./workers.ts"), "ls"),
  }),
  pools: group("pools", "List work pools or inspect one's job template", {
    ls: named(() => import("./pools.ts"), "ls"),
    inspect: named(() => import("./pools.ts"), "inspect"),
  }),
  monitor: load(() => import("./monitor.ts")),
  open: load(() => import("./open.ts")),
  logout: load(() => import("./logout.ts")),
  events: group("events", "Emit, list or follow events (what triggers match)", {
    emit: named(() => import("./events.ts"), "emit"),
    ls: named(() => import("./events.ts"), "ls"),
    stream: named(() => import("./events.ts"), "stream"),
  }),
  triggers: group("triggers", "List triggers with their windows, deadlines and firings", {
    ls: named(() => import("./triggers.ts"), "ls"),
  }),
  secrets: group("secrets", "Set, list or remove secrets (values are never shown)", {
    set: named(() => import("./secrets.ts"), "set"),
    ls: named(() => import("./secrets.ts"), "ls"),
    rm: named(() => import("./secrets.ts"), "rm"),
  }),
  variables: group("variables", "Set, get, list or remove shared variables", {
    set: named(() => import("./variables.ts"), "set"),
    get: named(() => import("./variables.ts"), "get"),
    ls: named(() => import("./variables.ts"), "ls"),
    rm: named(() => import("./variables.ts"), "rm"),
  }),
  doctor: load(() => import("./doctor.ts")),
  db: group("db", "Back up, restore or check the store", {
    backup: named(() => import("./db.ts"), "backup"),
    restore: named(() => import("./db.ts"), "restore"),
    check: named(() => import("./db.ts"), "check"),
  }),
  schema: load(() => import("./schema.ts")),
  version: load(() => import("./version.ts")),
};
