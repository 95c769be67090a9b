/**
 * The second half of a deploy pass: the planned writes, in transactions paced so that a large
 * project's deploy never holds the write lock (nor, in the server, the API) for long, then one
 * transaction that records what the pass found: the project's retention, which files are
 * broken or valid again, and what files deleted or skipped took with them.
 */
import { type DeployReport, type Problem, renderProblem, type Sliced } from "../core/index.ts";
import {
  clearFileProblems,
  deploymentSources,
  getDeployment,
  listFileProblems,
  listWebhooks,
  markSourceInvalid,
  poolSourceFiles,
  projectRetention,
  recordEvent,
  removeDeployment,
  type Store,
  setFilePools,
  setFileProblems,
  setFileWebhooks,
  setProjectRetention,
} from "../store/index.ts";
import type { PacedDeploy } from "./deploy-progress.ts";
import type { ParsedFile } from "./parse-definitions.ts";
import type { FilePlan } from "./plan-deploy.ts";

/**
 * The files (project-relative) the store holds deployments, webhooks or pools of that are not
 * in `seen`: a full pass finds them deleted (or skipped).
 */
export function sourcesNotSeen(store: Store, seen: ReadonlySet<string>): string[] {
  const files = new Set<string>();
  for (const row of deploymentSources(store)) if (row.source_file) files.add(row.source_file);
  for (const hook of listWebhooks(store)) files.add(hook.source_file);
  for (const file of poolSourceFiles(store)) files.add(file);
  return [...files].filter((file) => !seen.has(file));
}

/** Which deployments each file holds: read once, before a pass's first write. */
export function deploymentsBySource(store: Store): Map<string, string[]> {
  const bySource = new Map<string, string[]>();
  for (const row of deploymentSources(store)) {
    if (!row.source_file) continue;
    const names = bySource.get(row.source_file);
    if (names) names.push(row.name);
    else bySource.set(row.source_file, [row.name]);
  }
  return bySource;
}

/**
 * Run the plans' writes in transactions that end with the pacer's slice (one transaction when
 * it never ends), yielding between them. Each deployment is written whole in one transaction,
 * so none is ever seen half written.
 */
export function* writePlans(
  store: Store,
  plans: readonly FilePlan[],
  bySource: Map<string, string[]>,
  how: PacedDeploy,
  report: DeployReport,
): Sliced<void> {
  const writes = plans.flatMap((plan) => plan.writes);
  // Progress counts deployments (a file's own writes, its bundle and its removals, come free).
  const deployments = plans.reduce((n, plan) => n + plan.deployments, 0);
  const deployed = () => report.created.length + report.updated.length + report.unchanged.length;
  let done = 0;
  while (done < writes.length) {
    store.tx(() => {
      do writes[done++]!(bySource);
      while (done < writes.length && !how.pacer.over());
    });
    how.onProgress?.({ phase: "deploying", done: deployed(), total: deployments });
    yield;
  }
}

/** What a pass found, for its closing transaction. */
export interface PassOutcome {
  /** Each definition file's last parse, by absolute path. */
  parsed: ReadonlyMap<string, ParsedFile>;
  /** The files invalid as read (names defined twice included), by absolute path. */
  invalid: ReadonlyMap<string, Problem[]>;
  /** Every file refused in this pass, with all its problems (reported or not). */
  refused: readonly { file: string; problems: Problem[] }[];
  plans: readonly FilePlan[];
  touched: ReadonlySet<string>;
  gone: ReadonlySet<string>;
  /** Whether the pass read every file (a file not seen is gone). */
  full: boolean;
  warnings: readonly Problem[];
  bySource: ReadonlyMap<string, string[]>;
  rel: (abs: string) => string;
}

/** The pass's closing transaction: what it found, recorded (`report` says what changed). */
export function recordPass(store: Store, pass: PassOutcome, report: DeployReport): void {
  const { parsed, invalid, plans, rel } = pass;
  store.tx(() => {
    // The project's retention follows its file; while that file is broken, the last good one stays.
    const stored = projectRetention(store);
    if (!stored || ![...invalid.keys()].some((abs) => rel(abs) === stored.source)) {
      const owner = [...parsed]
        .filter(([abs, file]) => file.retention && !invalid.has(abs))
        .sort(([a], [b]) => (a < b ? -1 : 1))[0];
      setProjectRetention(
        store,
        owner ? { spec: owner[1].retention!, source: rel(owner[0]) } : null,
      );
    }
    // The store remembers which files are broken (listings mark their deployments), so a file
    // is "valid again" once, even across a restart.
    for (const { file } of pass.refused) markSourceInvalid(store, file, true);
    // Every problem of every broken file is kept (not only those reported now), so a view
    // that opens later lists them all; a file valid again or gone is cleared, and says so.
    for (const { file, problems } of pass.refused)
      setFileProblems(store, file, problems.map(renderProblem));
    const validAgain = (file: string, deployments: string[], deleted: boolean) => {
      if (!deleted) report.valid_again.push({ file, deployments });
      recordEvent(store, "deployment.valid-again", file, { file, deployments, deleted });
    };
    for (const plan of plans) {
      const file = rel(plan.abs);
      const names = markSourceInvalid(store, file, false);
      // A file never valid before had no deployments to mark: it names those it deploys now.
      const held = parsed.get(plan.abs)?.deployments.map((d) => d.spec.name) ?? [];
      if (clearFileProblems(store, file) || names.length)
        validAgain(file, names.length ? names : held, false);
    }
    const seen = new Set([...pass.touched].map(rel));
    const goneFiles = new Set([...pass.gone].map(rel));
    for (const { file } of listFileProblems(store)) {
      const isGone = goneFiles.has(file) || (pass.full && !seen.has(file));
      if (isGone && clearFileProblems(store, file)) validAgain(file, [], true);
    }
    for (const abs of pass.gone) {
      setFileWebhooks(store, rel(abs), []);
      setFilePools(store, rel(abs), []);
      for (const name of pass.bySource.get(rel(abs)) ?? []) {
        const moved = getDeployment(store, name)?.source_file !== rel(abs);
        const skipped = pass.warnings.some((w) => w.where === rel(abs));
        const why = `${rel(abs)} ${skipped ? "is skipped (see its warning)" : "was deleted"}`;
        if (!moved && removeDeployment(store, name, why)) report.removed.push(name);
      }
    }
    for (const bad of report.invalid) {
      recordEvent(store, "deployment.invalid", bad.file, {
        file: bad.file,
        problems: bad.problems.map(renderProblem),
      });
    }
  });
}
