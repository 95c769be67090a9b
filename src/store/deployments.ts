import {
  closest,
  type DeploymentJson,
  type DeploymentSpec,
  iso,
  OrchError,
} from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** A deployment as stored, with its current version's hash and bundle. */
export interface DeploymentRow {
  id: number;
  name: string;
  version: number;
  spec: string;
  source_file: string | null;
  source_line: number | null;
  /** 1 while its definition file is invalid (it keeps its last good version). */
  source_invalid: number;
  paused: number;
  removed_at: number | null;
  created_at: number;
  updated_at: number;
  hash: string;
  bundle: string | null;
  /** Rolled back: the hash its files had then (the same files keep the rollback). */
  rolled_back_from: string | null;
}

/** A deployment's spec, parsed. */
export function deploymentSpec(row: Pick<DeploymentRow, "spec">): DeploymentSpec {
  return JSON.parse(row.spec) as DeploymentSpec;
}

/** The JSON shape of a stored deployment. */
export function deploymentToJson(
  row: DeploymentRow,
  nextRun: number | null = null,
): DeploymentJson {
  const spec = deploymentSpec(row);
  return {
    name: row.name,
    version: row.version,
    description: spec.description,
    flow: spec.flow
      ? `./${spec.flow.path}${spec.flow.export === "default" ? "" : `:${spec.flow.export}`}`
      : null,
    command: spec.command ?? null,
    paused: row.paused === 1,
    removed: row.removed_at !== null,
    tags: spec.tags,
    parameters: spec.parameters,
    parameter_schema: spec.parameter_schema ?? null,
    schedules: spec.schedules,
    triggers: spec.triggers,
    retries: spec.retries,
    retry_delay_ms: spec.retry_delay_ms,
    ...(spec.retry_delays_ms ? { retry_delays_ms: spec.retry_delays_ms } : {}),
    timeout_ms: spec.timeout_ms,
    concurrency: spec.concurrency,
    work_pool: spec.work_pool,
    work_queue: spec.work_queue,
    next_run: iso(nextRun),
    source: row.source_file ? `${row.source_file}:${row.source_line ?? 1}` : null,
    source_invalid: row.source_invalid === 1,
    hash: row.hash,
    ...(row.rolled_back_from !== null ? { rolled_back_from: row.rolled_back_from } : {}),
    updated_at: iso(row.updated_at),
  };
}

const SELECT = `SELECT d.*, v.hash, v.bundle FROM deployments d
  JOIN deployment_versions v ON v.deployment_id = d.id AND v.version = d.version`;

/**
 * markSourceInvalid's statement (exported for its plan's test). `source_invalid = ?`, not `!=`:
 * deployments_by_source then finds only the rows to change, not every row of the file.
 */
export const MARK_SOURCE_SQL =
  "UPDATE deployments SET source_invalid = ? WHERE source_file = ? AND source_invalid = ? AND removed_at IS NULL RETURNING name";

/**
 * Mark the deployments defined in `file` as coming from a file that is invalid now, or valid
 * again; the names whose mark changed.
 */
export function markSourceInvalid(store: Store, file: string, invalid: boolean): string[] {
  const flag = invalid ? 1 : 0;
  const rows = sqlite(store)
    .query(MARK_SOURCE_SQL)
    .all(flag, file, 1 - flag) as { name: string }[];
  return rows.map((r) => r.name).sort();
}

/** A deployment by name (removed ones too), or null. */
export function getDeployment(store: Store, name: string): DeploymentRow | null {
  return sqlite(store).query(`${SELECT} WHERE d.name = ?`).get(name) as DeploymentRow | null;
}

/** What planning reads of a deployment: who it is, whether it runs, and its spec. */
export type PlanningRow = Pick<
  DeploymentRow,
  "id" | "name" | "version" | "spec" | "paused" | "removed_at"
>;

/** A deployment by name (removed ones too) as planning reads it, or null. */
export function deploymentToPlan(store: Store, name: string): PlanningRow | null {
  // Why not getDeployment: its join with the version (for the hash and bundle, which planning
  // never uses) costs several times this read, and a large project's start plans every
  // deployment twice.
  return sqlite(store)
    .query("SELECT id, name, version, spec, paused, removed_at FROM deployments WHERE name = ?")
    .get(name) as PlanningRow | null;
}

/**
 * The names an unknown name may be a typo of: deployments not removed, of a length that can be
 * close, read from deployments_live_names alone (no row is read).
 */
export const NAME_GUESSES_SQL =
  "SELECT name FROM deployments WHERE removed_at IS NULL AND length(name) BETWEEN ? AND ? ORDER BY name";

/** A deployment by name that is not removed (or that may be, with `removed`); throws E_NOT_FOUND with a hint. */
export function getDeploymentOrThrow(
  store: Store,
  name: string,
  options: { removed?: boolean } = {},
): DeploymentRow {
  const row = getDeployment(store, name);
  if (row && options.removed) return row;
  if (!row || row.removed_at !== null) {
    const guess = row
      ? null
      : closest(
          name,
          // Names only, of a length that can be close: a large project's whole rows take tens
          // of milliseconds to read, and its names alone (along their index) several.
          (
            sqlite(store)
              .query(NAME_GUESSES_SQL)
              .all(name.length - 2, name.length + 2) as { name: string }[]
          ).map((d) => d.name),
        );
    throw new OrchError(
      "E_NOT_FOUND",
      row
        ? `deployment ${name} was removed; its runs stay in the history`
        : guess
          ? `no deployment named ${JSON.stringify(name)}; did you mean ${JSON.stringify(guess)}?`
          : `no deployment named ${JSON.stringify(name)}; orch deployments ls lists them`,
    );
  }
  return row;
}

/**
 * Deployments by name; removed ones only with `all`; with `withTriggers`, only those with a
 * trigger. Why filter here: of a large project's deployments few have triggers, and reading
 * every spec into the server's thread to find them held it for a fifth of a second at 10,000;
 * the filter is the same expression as deployments_with_triggers', which answers it alone.
 */
export function listDeployments(
  store: Store,
  options: { all?: boolean; withTriggers?: boolean } = {},
): DeploymentRow[] {
  return sqlite(store).query(listDeploymentsSql(options)).all() as DeploymentRow[];
}

/** listDeployments' statement (exported for its plan's test). */
export function listDeploymentsSql(options: { all?: boolean; withTriggers?: boolean }): string {
  const where = [
    ...(options.all ? [] : ["d.removed_at IS NULL"]),
    ...(options.withTriggers ? ["json_array_length(d.spec, '$.triggers') > 0"] : []),
  ];
  return `${SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY d.name`;
}

/**
 * The statement of deploymentsWithTriggers among names (exported for its plan's test): each name
 * is looked up in deployments_with_triggers, so a burst of thousands of deployments changed (a
 * large save) costs a probe each, and only those with a trigger are read.
 */
export const WITH_TRIGGERS_AMONG_SQL = `SELECT d.*, v.hash, v.bundle
  FROM deployments d INDEXED BY deployments_with_triggers
  JOIN deployment_versions v ON v.deployment_id = d.id AND v.version = d.version
  WHERE d.removed_at IS NULL AND json_array_length(d.spec, '$.triggers') > 0
    AND d.name IN (SELECT value FROM json_each(?))
  ORDER BY d.name`;

/**
 * The deployments that have a trigger (not removed ones), by name; with `names`, those of them
 * only. What arms triggers and file arrivals, at start and after deployments change.
 */
export function deploymentsWithTriggers(store: Store, names?: Iterable<string>): DeploymentRow[] {
  if (!names) return listDeployments(store, { withTriggers: true });
  return sqlite(store)
    .query(WITH_TRIGGERS_AMONG_SQL)
    .all(JSON.stringify([...names])) as DeploymentRow[];
}

/**
 * The deployments not removed whose active version names a secret (or variable): its runs
 * receive it, or its notify: or triggers' actions read it. Why a refusal needs them: removing a
 * value in use breaks their next runs, or their alerts.
 */
export function deploymentsNaming(
  store: Store,
  kind: "secrets" | "variables",
  name: string,
): string[] {
  const path = kind === "secrets" ? "$.secrets" : "$.variables";
  const forActions = kind === "secrets" ? "$.action_secrets" : "$.action_variables";
  return (
    sqlite(store)
      .query(
        `SELECT d.name FROM deployments d
         JOIN deployment_versions v ON v.deployment_id = d.id AND v.version = d.version
         WHERE d.removed_at IS NULL
           AND (EXISTS (SELECT 1 FROM json_each(v.spec, ?1) WHERE value = ?3)
             OR EXISTS (SELECT 1 FROM json_each(v.spec, ?2) WHERE value = ?3))
         ORDER BY d.name`,
      )
      .all(path, forActions, name) as { name: string }[]
  ).map((r) => r.name);
}

/**
 * A deployment as a deploy compares a definition with it: its active version's hash, the hash
 * its files had when it was rolled back (if it is), its active and newest version (the newest
 * is more than the active one while rolled back), and the file that holds it.
 */
export interface DeployedHash {
  name: string;
  hash: string;
  version: number;
  latest_version: number;
  rolled_back_from: string | null;
  source_file: string | null;
}

/**
 * Each deployment not removed, as a deploy compares a definition with it (`orch deploy --check`
 * tells unchanged from updated by it).
 */
export function liveDeploymentHashes(store: Store): DeployedHash[] {
  return sqlite(store)
    .query(
      `SELECT d.name, v.hash, d.version, d.rolled_back_from, d.source_file,
         (SELECT max(version) FROM deployment_versions WHERE deployment_id = d.id) AS latest_version
       FROM deployments d
       JOIN deployment_versions v ON v.deployment_id = d.id AND v.version = d.version
       WHERE d.removed_at IS NULL`,
    )
    .all() as DeployedHash[];
}

/**
 * Each deployment's name and the file that defines it, by name; removed ones only with `all`.
 * What a deploy pass and the planner need of every deployment: a large project's full rows
 * (their specs) take tens of milliseconds to read, on the server's thread.
 */
export function deploymentSources(
  store: Store,
  options: { all?: boolean } = {},
): Pick<DeploymentRow, "name" | "source_file">[] {
  return sqlite(store)
    .query(
      `SELECT name, source_file FROM deployments ${options.all ? "" : "WHERE removed_at IS NULL"} ORDER BY name`,
    )
    .all() as Pick<DeploymentRow, "name" | "source_file">[];
}
