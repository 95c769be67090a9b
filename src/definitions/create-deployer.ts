/**
 * The deployer: keeps a project's definitions in step with the store, re-reading only what
 * changed. A pass reads the files (parsed-definitions.ts), plans each file touched
 * (plan-deploy.ts) and writes the plans (write-deploy.ts); this file says which files each
 * pass touches, keeps what passes share (each file's last parse, the file hash cache, the
 * files broken and what was reported of them: invalid-files.ts), and runs paced passes one at
 * a time.
 */
import { dirname, relative, sep } from "node:path";
import {
  type DeployReport,
  OrchError,
  type Pacer,
  type Problem,
  type ProjectPaths,
  runAtOnce,
  runPaced,
  type Sliced,
  unpaced,
} from "../core/index.ts";
import {
  deploymentSources,
  getDeployment,
  liveDeploymentHashes,
  type Store,
} from "../store/index.ts";
import { type Bundle, type FileHashCache, scanBundle } from "./bundles.ts";
import { asDeployWould } from "./check-report.ts";
import { collectInvalid } from "./collect-invalid.ts";
import type { PacedDeploy } from "./deploy-progress.ts";
import type { KnownValues } from "./deployment-values.ts";
import { isDefinitionFile, isDefinitionPath } from "./find-definition-files.ts";
import { createFlowSpecs, type DescribeFlow } from "./flow-defaults.ts";
import { createInvalidFiles } from "./invalid-files.ts";
import { createCwdCheck } from "./local-cwd.ts";
import { createParsedDefinitions, type ReadAhead } from "./parsed-definitions.ts";
import { planFiles } from "./plan-deploy.ts";
import type { DefinitionReader } from "./read-off-thread.ts";
import { withNotes } from "./unknown-deployments.ts";
import { deploymentsBySource, recordPass, sourcesNotSeen, writePlans } from "./write-deploy.ts";

export type { DeployProgress, PacedDeploy } from "./deploy-progress.ts";

/** Keeps a project's definitions in step with the store, re-reading only what changed. */
export interface Deployer {
  /**
   * Read every definition file and deploy (`orch deploy`, POST /api/deploy), in one pass.
   * Refused with E_BUSY while a paced pass is under way.
   */
  deployAll(): DeployReport;
  /**
   * Deploy after these paths changed (definition files, or files of a bundle), in one pass.
   * While a paced pass is under way, the paths are deployed right after it (the report is empty).
   */
  deployChanged(paths: string[]): DeployReport;
  /** Validate every file without writing anything (`orch deploy --check`). */
  check(): DeployReport;
  /** deployAll in slices (the server's start): the API is answered between them. */
  deployAllPaced(how: PacedDeploy): Promise<DeployReport>;
  /** deployChanged in slices (the server's watcher). */
  deployChangedPaced(paths: string[], how: PacedDeploy): Promise<DeployReport>;
}

/**
 * A deployer for the project at `paths`. It remembers each file's last parse and each file's
 * hash, so a change re-reads one definition file and re-hashes only the files that changed.
 * With `describeFlow`, a TypeScript flow's own options are its deployment's defaults. With a
 * `reader`, paced passes read and parse their files on its thread, and only apply them here.
 */
export function createDeployer(
  store: Store,
  paths: ProjectPaths,
  options: {
    describeFlow?: DescribeFlow;
    reader?: DefinitionReader;
    /** The secrets and variables that exist, when `store` is not the project's (a check's). */
    known?: KnownValues;
  } = {},
): Deployer {
  const specsOf = createFlowSpecs(options.describeFlow);
  const definitions = createParsedDefinitions(paths, options.reader);
  const parsed = definitions.files;
  const hashes: FileHashCache = new Map();
  const rel = (abs: string) => relative(paths.root, abs).split(sep).join("/");
  const invalidFiles = createInvalidFiles(rel);

  const bundleOf = (folder: string, pass: Map<string, Bundle>): Bundle => {
    let bundle = pass.get(folder);
    if (!bundle) {
      bundle = scanBundle(folder, hashes, rel(folder) || ".");
      pass.set(folder, bundle);
    }
    return bundle;
  };

  /**
   * Write the files in `touched` (and the removal of `gone`) to the store, as sliced work: it
   * yields between files while preparing them, and between transactions while writing, each
   * transaction ending once the pacer's slice is over (one transaction when it never is).
   */
  function* apply(
    touched: Set<string>,
    gone: Set<string>,
    write: boolean,
    warnings: Problem[],
    how: PacedDeploy,
    rechecked = new Set<string>(),
    full = false,
  ): Sliced<DeployReport> {
    const report = emptyReport(warnings);
    const holders = options.known?.holders;
    const invalid = collectInvalid(
      parsed,
      (name) =>
        (holders ? holders.get(name) : getDeployment(store, name)?.source_file) ?? undefined,
      rel,
    );
    const pass = new Map<string, Bundle>();
    const plans = yield* planFiles(
      {
        store,
        paths,
        rel,
        known: options.known,
        specsOf,
        bundleOf: (folder) => bundleOf(folder, pass),
        write,
        cwdCheck: createCwdCheck(parsed, store),
      },
      parsed,
      touched,
      invalid,
      report,
    );
    /** The pass's deployments, whose triggers' names of deployments are checked once it is done. */
    const planned = () => plans.flatMap((plan) => parsed.get(plan.abs)?.deployments ?? []);
    if (!write) {
      // A check writes nothing: it says what a deploy would do to the project's deployments.
      const current = options.known?.current ?? liveDeploymentHashes(store);
      const versions = plans.flatMap((plan) => plan.versions);
      const would = asDeployWould(report, versions, current);
      // The names a deploy would leave live: what the check would remove is gone by then.
      const removed = new Set(would.removed);
      const names = new Set(
        [...versions, ...current].map((d) => d.name).filter((name) => !removed.has(name)),
      );
      return withNotes(would, planned(), names);
    }
    const refused = [...report.invalid];
    invalidFiles.afterPass({ parsed, invalid, touched, gone, rechecked }, report);
    const bySource = deploymentsBySource(store);
    yield* writePlans(store, plans, bySource, how, report);
    recordPass(
      store,
      { parsed, invalid, refused, plans, touched, gone, full, warnings, bySource, rel },
      report,
    );
    return withNotes(report, planned(), new Set(deploymentSources(store).map((d) => d.name)));
  }

  function* deployAllSteps(
    how: PacedDeploy,
    found = definitions.find(),
    ahead?: ReadAhead,
  ): Sliced<DeployReport> {
    parsed.clear();
    const { warnings } = found;
    const files = yield* definitions.readFiles(found.files, warnings, how.onProgress, ahead);
    const seen = new Set(files.map(rel));
    const gone = new Set(sourcesNotSeen(store, seen).map((file) => `${paths.root}/${file}`));
    return yield* apply(new Set(files), gone, true, warnings, how, new Set(), true);
  }

  const definitionsIn = (changed: string[]) =>
    changed.filter((abs) => isDefinitionPath(paths.flows, abs));

  function* deployChangedSteps(
    changed: string[],
    how: PacedDeploy,
    ahead?: ReadAhead,
  ): Sliced<DeployReport> {
    const touched = new Set<string>();
    const gone = new Set<string>();
    const warnings: Problem[] = [];
    const changedDefs = definitionsIn(changed);
    const read = new Set(
      yield* definitions.readFiles(changedDefs, warnings, how.onProgress, ahead),
    );
    for (const abs of changedDefs) {
      // A file skipped now counts as gone, as it does at start.
      if (read.has(abs)) touched.add(abs);
      else gone.add(abs);
    }
    // A changed code file touches every definition whose folder holds it.
    for (const abs of changed) {
      if (isDefinitionFile(abs)) continue;
      for (const def of parsed.keys())
        if (abs.startsWith(`${dirname(def)}${sep}`)) touched.add(def);
    }
    // A file that was invalid only for a name defined elsewhere may be valid now.
    const rechecked = new Set<string>();
    for (const abs of invalidFiles.toRecheck()) {
      if (!parsed.has(abs) || touched.has(abs)) continue;
      touched.add(abs);
      rechecked.add(rel(abs));
    }
    return yield* apply(touched, gone, true, warnings, how, rechecked);
  }

  // A paced pass runs while the server answers requests: another pass waits for it, so two
  // never interleave their reads of the files and writes of the store.
  let running: Promise<unknown> | null = null;
  let after: string[] | null = null;
  const paced = async (steps: () => Promise<Sliced<DeployReport>>, pacer: Pacer) => {
    while (running) await running.catch(() => {});
    // Its files are read (off the thread) inside the pass: no other pass runs meanwhile.
    const pass = steps().then((work) => runPaced(work, pacer));
    running = pass;
    try {
      return await pass;
    } finally {
      running = null;
      // Changes asked for in one pass while this one ran (a secret set meanwhile).
      const queued = after;
      after = null;
      if (queued) void changedPaced(queued, { pacer }).catch(() => {});
    }
  };
  const allPaced = (how: PacedDeploy) =>
    paced(async () => {
      const found = definitions.find();
      return deployAllSteps(how, found, await definitions.readAhead(found.files, how.onProgress));
    }, how.pacer);
  const changedPaced = (changed: string[], how: PacedDeploy) =>
    paced(
      async () =>
        deployChangedSteps(
          changed,
          how,
          await definitions.readAhead(definitionsIn(changed), how.onProgress),
        ),
      how.pacer,
    );
  const atOnce = { pacer: unpaced };

  return {
    deployAll() {
      if (running) {
        throw new OrchError(
          "E_BUSY",
          "orch is loading this project's definitions; try again once it has (orch monitor shows how far it is)",
        );
      }
      return runAtOnce(deployAllSteps(atOnce));
    },
    deployChanged(changed) {
      if (running) {
        after = [...(after ?? []), ...changed];
        return emptyReport();
      }
      return runAtOnce(deployChangedSteps(changed, atOnce));
    },
    check() {
      if (running) {
        throw new OrchError(
          "E_BUSY",
          "orch is loading this project's definitions; try again once it has",
        );
      }
      parsed.clear();
      const { files: found, warnings } = definitions.find();
      const files = found.filter((abs) => definitions.readOne(abs, warnings));
      return runAtOnce(apply(new Set(files), new Set(), false, warnings, atOnce));
    },
    deployAllPaced: allPaced,
    deployChangedPaced: changedPaced,
  };
}

/** A report of nothing done, with these warnings. */
function emptyReport(warnings: Problem[] = []): DeployReport {
  return {
    created: [],
    updated: [],
    removed: [],
    unchanged: [],
    invalid: [],
    valid_again: [],
    rollbacks_ended: [],
    warnings,
  };
}
