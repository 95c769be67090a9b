import {
  DEPLOY_REPORT,
  DEPLOYMENT,
  DEPLOYMENT_DETAIL,
  DEPLOYMENT_REMOVED,
  type DeploymentDetail,
  type DeploymentJson,
  type DeploymentRemoved,
  type DeploymentSpec,
  type DeployReport,
  iso,
  LIST_DEPLOYMENTS_QUERY,
  type ProjectPaths,
  ROLLBACK_REQUEST,
  ROLLBACK_RESULT,
  type RollbackRequest,
  type RollbackResult,
} from "../../core/index.ts";
import type { Deployer } from "../../definitions/index.ts";
import { describeSchedule } from "../../scheduler/index.ts";
import {
  type DeploymentRow,
  deploymentSpec,
  deploymentToJson,
  getDeploymentOrThrow,
  listDeployments,
  listRuns,
  listVersions,
  nextRunAt,
  nextRunTimes,
  removeDeployment,
  rollbackDeployment,
  runToJson,
  type Store,
  setDeploymentPaused,
  type VersionRow,
} from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route, RouteContext } from "../router.ts";

/**
 * The files a version's runs use that differ from the version before (added, changed or gone),
 * or undefined when either version predates the record of its files.
 */
function changedFiles(
  before: VersionRow | undefined,
  after: VersionRow,
): { changed: string[]; added: string[]; removed: string[] } | undefined {
  if (!before?.files || !after.files) return undefined;
  const a = JSON.parse(before.files) as Record<string, string>;
  const b = JSON.parse(after.files) as Record<string, string>;
  const changed = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((p) => a[p] !== b[p])
    .sort();
  return {
    changed,
    added: changed.filter((p) => !Object.hasOwn(a, p)),
    removed: changed.filter((p) => !Object.hasOwn(b, p)),
  };
}

export interface DeploymentRoutesDeps {
  store: Store;
  paths: ProjectPaths;
  deployer: Deployer;
  /** The next times of a deployment's active schedules (from the scheduler), if it runs. */
  upcoming?: (spec: DeploymentSpec, count: number) => number[];
  /**
   * No scheduler plans runs into this store (a command's API while no server runs): a
   * deployment's next run is computed from its schedules, as `orch up` would plan it.
   */
  unplanned?: boolean;
  /** Told of what POST /api/deploy did (the server logs it, as it logs its watcher's passes). */
  onDeploy?: (report: DeployReport) => void;
}

/** Routes under /api/deployments, and POST /api/deploy. */
export function deploymentRoutes({
  store,
  deployer,
  upcoming,
  unplanned,
  onDeploy,
}: DeploymentRoutesDeps): Route[] {
  /** The JSON of a deployment, each schedule with its description in words. */
  const toJson = (row: DeploymentRow, planned: number | null): DeploymentJson => {
    const active = !row.paused && row.removed_at === null;
    // Without a server, what a store holds as planned may be stale (planned by a server since
    // stopped): the schedules say when the next run is.
    const next = !unplanned
      ? planned
      : active && upcoming
        ? (upcoming(deploymentSpec(row), 1)[0] ?? null)
        : null;
    const d = deploymentToJson(row, next);
    return {
      ...d,
      schedules: d.schedules.map((s) => ({ ...s, description: describeSchedule(s) })),
    };
  };
  const show = (name: string) => {
    const row = getDeploymentOrThrow(store, name);
    return toJson(row, nextRunAt(store, row.id));
  };
  return [
    {
      method: "GET",
      path: "/api/deployments",
      operationId: "listDeployments",
      summary: "List deployments (?all=1 includes removed ones)",
      response: {
        description: "Deployments by name",
        schema: { type: "array", items: DEPLOYMENT },
      },
      query: LIST_DEPLOYMENTS_QUERY,
      handler: (_req, { query }) => {
        const next = nextRunTimes(store);
        const last = query.last_runs as number | undefined;
        const now = store.clock.now();
        // Each deployment's latest runs as the runs listing has them (what happened or is due,
        // not the planned future), so a page of deployments needs one request, not one a row.
        const lastRuns = (name: string) =>
          listRuns(store, { deployment: name, plannedAfter: now, limit: last }).map(runToJson);
        return json(
          listDeployments(store, { all: query.all === true }).map((row) =>
            last
              ? { ...toJson(row, next.get(row.id) ?? null), last_runs: lastRuns(row.name) }
              : toJson(row, next.get(row.id) ?? null),
          ),
        );
      },
    },
    {
      method: "GET",
      path: "/api/deployments/:name",
      operationId: "getDeployment",
      summary: "One deployment, with its next runs and versions",
      response: { description: "The deployment", schema: DEPLOYMENT_DETAIL },
      handler: (_req, { params: { name } }) => {
        const row = getDeploymentOrThrow(store, name!, { removed: true });
        const base = toJson(row, nextRunAt(store, row.id));
        const spec = JSON.parse(row.spec) as DeploymentSpec;
        const nextRuns = row.paused || row.removed_at !== null ? [] : (upcoming?.(spec, 5) ?? []);
        const detail: DeploymentDetail = {
          ...base,
          next_runs: nextRuns.map((t) => iso(t)!),
          versions: listVersions(store, row.id).map((v, i, all) => {
            const changed = changedFiles(all[i + 1], v);
            return {
              version: v.version,
              hash: v.hash,
              created_at: iso(v.created_at)!,
              active: v.version === row.version,
              ...changed,
            };
          }),
          rolled_back: row.rolled_back_from !== null,
        };
        return json(detail);
      },
    },
    {
      method: "POST",
      path: "/api/deployments/:name/rollback",
      operationId: "rollbackDeployment",
      summary:
        "Make an older version active ({to}, default the one before) until the deployment's files change",
      body: ROLLBACK_REQUEST,
      response: { description: "{name, version, from, latest}", schema: ROLLBACK_RESULT },
      handler: (_req, { params: { name }, body }: RouteContext<RollbackRequest>) => {
        const done: RollbackResult = rollbackDeployment(store, name!, body.to);
        return json(done);
      },
    },
    {
      method: "POST",
      path: "/api/deployments/:name/pause",
      operationId: "pauseDeployment",
      summary: "Pause a deployment's schedules",
      response: { description: "The deployment, paused", schema: DEPLOYMENT },
      handler: (_req, { params: { name } }) => {
        setDeploymentPaused(store, name!, true);
        return json(show(name!));
      },
    },
    {
      method: "POST",
      path: "/api/deployments/:name/resume",
      operationId: "resumeDeployment",
      summary: "Resume a deployment's schedules",
      response: { description: "The deployment, resumed", schema: DEPLOYMENT },
      handler: (_req, { params: { name } }) => {
        setDeploymentPaused(store, name!, false);
        return json(show(name!));
      },
    },
    {
      method: "DELETE",
      path: "/api/deployments/:name",
      operationId: "removeDeployment",
      summary: "Remove a deployment from scheduling (its runs stay)",
      response: { description: "What was removed", schema: DEPLOYMENT_REMOVED },
      handler: (_req, { params: { name } }) => {
        const row = getDeploymentOrThrow(store, name!);
        removeDeployment(store, name!, "removed by a user");
        const removed: DeploymentRemoved = {
          name: name!,
          removed: true,
          source: row.source_file ? `${row.source_file}:${row.source_line}` : null,
        };
        return json(removed);
      },
    },
    {
      method: "POST",
      path: "/api/deploy",
      operationId: "deployDefinitions",
      summary: "Read every definition file again and deploy what changed",
      response: { description: "What the deploy did", schema: DEPLOY_REPORT },
      handler: () => {
        const report = deployer.deployAll();
        onDeploy?.(report);
        return json(report);
      },
    },
  ];
}
