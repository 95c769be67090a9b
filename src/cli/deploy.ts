import { existsSync } from "node:fs";
import { defineCommand } from "citty";
import { findServer } from "../client/find-server.ts";
import { createClient, type DeployReport } from "../client/index.ts";
import { OrchError, type ProjectPaths, renderProblem } from "../core/index.ts";
import { rollbackEndedLine } from "../core/rollback-ended.ts";
import { write } from "../core/stdio.ts";
import type { KnownValues } from "../definitions/index.ts";
import { connect, connectArgs, jsonArg, projectOf } from "./connect.ts";
import { c, log, printJson } from "./output.ts";

export default defineCommand({
  meta: {
    name: "deploy",
    description: "Register the definitions in flows/ (through the server when one runs)",
  },
  args: {
    ...connectArgs,
    ...jsonArg,
    check: {
      type: "boolean",
      description:
        "Validate every definition file and the flows they name, write nothing; exit 2 on any problem",
    },
  },
  async run({ args }) {
    let report: DeployReport;
    if (args.check) {
      const [
        { openStore, deploymentSources, liveDeploymentHashes },
        { createDeployer, knownValues },
        { createFlowDescriber },
      ] = await Promise.all([
        import("../store/index.ts"),
        import("../definitions/index.ts"),
        import("../worker/index.ts"),
      ]);
      const paths = projectOf(args.dir);
      // The check writes nothing of the project's: it deploys into a store of its own, knowing
      // the names of the project's secrets and variables and which file holds each deployment
      // (from its server, when one runs), so it judges a duplicate name as a deploy would.
      const known = await knownNames(paths, args, (db) => {
        const project = openStore(db, { readonly: true });
        try {
          const holders = deploymentSources(project, { all: true }).flatMap((d) =>
            d.source_file ? [[d.name, d.source_file] as const] : [],
          );
          return {
            ...knownValues(project),
            holders: new Map(holders),
            current: liveDeploymentHashes(project),
          };
        } finally {
          project.close();
        }
      });
      const store = openStore(":memory:");
      report = createDeployer(store, paths, { describeFlow: createFlowDescriber(), known }).check();
      store.close();
    } else {
      const conn = await connect(args, { local: true });
      try {
        report = await conn.client.deploy();
      } finally {
        conn.close();
      }
    }
    if (args.json) printJson(report);
    else show(report, Boolean(args.check));
    const problems = report.invalid.flatMap((f) => f.problems);
    if (problems.length) {
      throw new OrchError(
        "E_INVALID_DEFINITION",
        `${problems.length} ${problems.length === 1 ? "problem" : "problems"} in ${report.invalid.length} definition ${report.invalid.length === 1 ? "file" : "files"}${args.check ? "" : `; nothing in ${report.invalid.length === 1 ? "it" : "them"} changes until fixed (deployments already there keep their last good version)`}`,
      );
    }
    // A check is for CI: a flow that does not load (its run would fail) or a file orch would
    // skip fails it too, where a running orch deploys around them with a warning.
    if (args.check && report.warnings.length) {
      const n = report.warnings.length;
      throw new OrchError(
        "E_INVALID_DEFINITION",
        `${n} ${n === 1 ? "flow or file" : "flows or files"} orch cannot use (above); fix ${n === 1 ? "it" : "them"} and check again`,
      );
    }
    return 0;
  },
});

/**
 * The secret and variable names a check knows exist, which file holds each deployment and the
 * hash of its active version: the running server's, else the project store's (read-only,
 * through `readStore`), else none (a project never started).
 */
async function knownNames(
  paths: ProjectPaths,
  args: { api?: string; token?: string },
  readStore: (db: string) => KnownValues,
): Promise<KnownValues> {
  const target = findServer(paths, args);
  if (target) {
    const client = createClient(target);
    const [secrets, variables, deployments] = await Promise.all([
      client.listSecrets(),
      client.listVariables(),
      client.listDeployments({ all: true }),
    ]);
    // A rolled-back deployment's newest version (what a change would number after): from its
    // versions, asked for those few only.
    const newest = new Map(
      await Promise.all(
        deployments
          .filter((d) => !d.removed && d.rolled_back_from)
          .map(async (d) => {
            const detail = await client.getDeployment(d.name);
            return [d.name, Math.max(...detail.versions.map((v) => v.version))] as const;
          }),
      ),
    );
    return {
      secrets: new Set(secrets.secrets.map((s) => s.name)),
      variables: new Set(variables.map((v) => v.name)),
      holders: new Map(
        deployments.flatMap((d) => (d.source ? [[d.name, d.source.replace(/:\d+$/, "")]] : [])),
      ),
      current: deployments.flatMap((d) =>
        !d.removed && d.hash
          ? [
              {
                name: d.name,
                hash: d.hash,
                version: d.version,
                latest_version: newest.get(d.name) ?? d.version,
                rolled_back_from: d.rolled_back_from ?? null,
                source_file: d.source?.replace(/:\d+$/, "") ?? null,
              },
            ]
          : [],
      ),
    };
  }
  if (existsSync(paths.db)) return readStore(paths.db);
  return { secrets: new Set(), variables: new Set(), holders: new Map(), current: [] };
}

function show(report: DeployReport, check: boolean): void {
  for (const w of report.warnings) log.warn(`skipped ${renderProblem(w)}`);
  for (const note of report.notes ?? []) log.warn(renderProblem(note));
  for (const bad of report.invalid) {
    for (const p of bad.problems) write("stderr", `${c.red("✖", "stderr")} ${renderProblem(p)}\n`);
  }
  if (check) {
    if (!report.invalid.length && !report.warnings.length) {
      const n = report.created.length + report.updated.length + report.unchanged.length;
      log.success(`${n} ${n === 1 ? "deployment" : "deployments"} valid`);
    }
    // A file emptied by an editor or a merge is valid and holds nothing: say what it would cost.
    const removed = [...report.removed].sort();
    if (removed.length) {
      const one = removed.length === 1;
      log.warn(
        `would remove: ${removed.join(", ")} (no definition file holds ${one ? "it" : "them"} now; a deploy takes ${one ? "it" : "them"} off scheduling, ${one ? "its" : "their"} runs stay)`,
      );
    }
    return;
  }
  for (const { file } of report.valid_again) log.success(`${file} is valid again`);
  for (const name of report.created) log.success(`created ${name}`);
  for (const name of report.updated) log.success(`updated ${name}`);
  for (const ended of report.rollbacks_ended) log.warn(rollbackEndedLine(ended));
  for (const name of report.removed) log.info(`removed ${name} from scheduling`);
  if (report.unchanged.length) log.info(`${report.unchanged.length} unchanged`);
}
