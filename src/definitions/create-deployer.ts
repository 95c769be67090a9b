// One file on purpose: the deployer's three verbs share one closure (each file's last parse, the
// file hash cache, the set of broken files), and splitting it would pass that state around.
import { dirname, relative, sep } from "node:path";
import {
  type DeployReport,
  OrchError,
  type Problem,
  type ProjectPaths,
  renderProblem,
} from "../core/index.ts";
import {
  applyWorkPools,
  clearFileProblems,
  getDeployment,
  listDeployments,
  listFileProblems,
  listWebhooks,
  markSourceInvalid,
  projectRetention,
  recordEvent,
  removeDeployment,
  type Store,
  saveBundle,
  setFileProblems,
  setFileWebhooks,
  setProjectRetention,
  upsertDeployment,
} from "../store/index.ts";
import { webhooksSetTwice } from "./build-webhooks.ts";
import { type Bundle, type FileHashCache, scanBundle, storeBundleObjects } from "./bundles.ts";
import { versionHash } from "./deploy-folder.ts";
import { type KnownValues, knownValues, withNamedValues } from "./deployment-values.ts";
import {
  findDefinitionFiles,
  isDefinitionFile,
  isDefinitionPath,
} from "./find-definition-files.ts";
import { createFlowSpecs, type DescribeFlow } from "./flow-defaults.ts";
import type { ParsedFile } from "./parse-definitions.ts";
import { loadDefinitionFile } from "./read-files.ts";
import { versionFiles } from "./version-files.ts";

/** Keeps a project's definitions in step with the store, re-reading only what changed. */
export interface Deployer {
  /** Read every definition file and deploy (start-up, `orch deploy`). */
  deployAll(): DeployReport;
  /** Deploy after these paths changed (definition files, or files of a bundle). */
  deployChanged(paths: string[]): DeployReport;
  /** Validate every file without writing anything (`orch deploy --check`). */
  check(): DeployReport;
}

/**
 * A deployer for the project at `paths`. It remembers each file's last parse and each file's
 * hash, so a change re-reads one definition file and re-hashes only the files that changed.
 * With `describeFlow`, a TypeScript flow's own options are its deployment's defaults.
 */
export function createDeployer(
  store: Store,
  paths: ProjectPaths,
  options: { describeFlow?: DescribeFlow } = {},
): Deployer {
  const specsOf = createFlowSpecs(options.describeFlow);
  const parsed = new Map<string, ParsedFile>();
  const hashes: FileHashCache = new Map();
  let lastInvalid = new Set<string>();
  /** The problems last reported of each invalid file (by its project-relative path). */
  const reported = new Map<string, string>();
  const rel = (abs: string) => relative(paths.root, abs).split(sep).join("/");

  /**
   * Read one definition file into `parsed`; false when it is not one (gone, or skipped with a
   * warning in `warnings`).
   */
  const read = (abs: string, warnings: Problem[]): boolean => {
    const loaded = loadDefinitionFile(abs, paths.root);
    if (loaded && !("skipped" in loaded)) {
      parsed.set(abs, loaded);
      return true;
    }
    if (loaded) warnings.push({ where: rel(abs), message: loaded.skipped });
    parsed.delete(abs);
    return false;
  };

  /** Definition files that now fail, as problems per file: their own, and names defined twice. */
  const collectInvalid = (): Map<string, Problem[]> => {
    const invalid = new Map<string, Problem[]>();
    const owners = new Map<string, { abs: string; line: number }[]>();
    for (const [abs, file] of parsed) {
      if (file.problems.length) invalid.set(abs, file.problems);
      // Names of invalid files count too, so a duplicate is reported with the file's other problems.
      for (const d of file.declared) {
        const places = owners.get(d.name) ?? [];
        if (!places.some((p) => p.abs === abs))
          owners.set(d.name, [...places, { abs, line: d.line }]);
      }
    }
    // A work pool is set in one file only: the first file (by path) that sets it keeps it.
    const poolOwners = new Map<string, string[]>();
    for (const [abs, file] of [...parsed].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (const pool of file.pools)
        poolOwners.set(pool.name, [...(poolOwners.get(pool.name) ?? []), abs]);
    }
    for (const [name, files] of poolOwners) {
      for (const abs of files.slice(1)) {
        const problem = {
          where: rel(abs),
          message: `work pool ${JSON.stringify(name)} is also set in ${rel(files[0]!)}; set a pool in one file`,
        };
        invalid.set(abs, [...(invalid.get(abs) ?? []), problem]);
      }
    }
    const files = [...parsed].map(([abs, f]) => ({ abs, file: f.file, webhooks: f.webhooks }));
    for (const { abs, problem } of webhooksSetTwice(files))
      invalid.set(abs, [...(invalid.get(abs) ?? []), problem]);
    // The project's retention is set in one file only, like a pool.
    const retentionFiles = [...parsed]
      .filter(([, file]) => file.retention)
      .map(([abs]) => abs)
      .sort();
    for (const abs of retentionFiles.slice(1)) {
      const problem = {
        where: rel(abs),
        message: `retention is also set in ${rel(retentionFiles[0]!)}; set the project's retention in one file`,
      };
      invalid.set(abs, [...(invalid.get(abs) ?? []), problem]);
    }
    for (const [name, places] of owners) {
      if (places.length < 2) continue;
      // The file that already holds the deployment keeps it; the others are in error.
      const holder = getDeployment(store, name)?.source_file;
      const keeper = places.find((p) => rel(p.abs) === holder && !invalid.has(p.abs));
      for (const place of places) {
        if (place === keeper) continue;
        const others = places.filter((p) => p !== place).map((p) => `${rel(p.abs)}:${p.line}`);
        const problem = {
          where: `${rel(place.abs)}:${place.line}`,
          message: `deployment ${JSON.stringify(name)} is also defined at ${others.join(", ")}; names are unique in a project`,
        };
        invalid.set(place.abs, [...(invalid.get(place.abs) ?? []), problem]);
      }
    }
    return invalid;
  };

  const bundleOf = (folder: string, pass: Map<string, Bundle>): Bundle => {
    let bundle = pass.get(folder);
    if (!bundle) {
      bundle = scanBundle(folder, hashes, rel(folder) || ".");
      pass.set(folder, bundle);
    }
    return bundle;
  };

  /** Write the files in `touched` (and the removal of `gone`) to the store. */
  /** Every definition file of the project, and a warning for each folder that cannot be read. */
  const findAll = (warnings: Problem[]) =>
    findDefinitionFiles(paths.flows, (dir, code) =>
      warnings.push({
        where: rel(dir),
        message: `cannot be read (${code}); the definition files in it are not seen until it is readable`,
      }),
    );

  const apply = (
    touched: Set<string>,
    gone: Set<string>,
    write: boolean,
    warnings: Problem[],
    rechecked = new Set<string>(),
    full = false,
  ): DeployReport => {
    const report: DeployReport = {
      created: [],
      updated: [],
      removed: [],
      unchanged: [],
      invalid: [],
      valid_again: [],
      warnings,
    };
    const invalid = collectInvalid();
    const pass = new Map<string, Bundle>();
    let known: KnownValues | undefined;
    const plans: { abs: string; deploy: (bySource: Map<string, string[]>) => void }[] = [];
    for (const abs of touched) {
      const file = parsed.get(abs);
      if (!file) continue;
      const problems = invalid.get(abs);
      if (problems) {
        report.invalid.push({ file: file.file, problems });
        continue;
      }
      try {
        const folder = dirname(abs);
        const bundle = bundleOf(folder, pass);
        // A flow file deleted or renamed since the definition was read would deploy a version
        // that cannot run: the file is invalid until it names a file of its bundle again.
        const missing = file.deployments.filter(
          (d) => d.spec.flow && !bundle.files.some((f) => f.path === d.spec.flow?.path),
        );
        if (missing.length) {
          report.invalid.push({
            file: file.file,
            problems: missing.map((d) => ({
              where: `${file.file}:${d.line}`,
              message: `flow: "./${d.spec.flow?.path}" does not exist any more (deleted or renamed)`,
            })),
          });
          continue;
        }
        // Secrets and variables named (in the definition, or in the flow's code) must exist.
        known ??= knownValues(store);
        const used = file.deployments.map((d) => versionFiles(d.spec, folder, bundle));
        const valued = file.deployments.map((d, i) =>
          withNamedValues(d, folder, used[i]!.modules, known!, rel(folder)),
        );
        const unknown = valued.flatMap((v) => v.problems);
        if (unknown.length) {
          report.invalid.push({ file: file.file, problems: unknown });
          continue;
        }
        // Objects are content-addressed, so they are written before (and outside) the
        // transaction: one never holds the store's write lock while files are copied.
        if (write) storeBundleObjects(paths.bundles, folder, bundle);
        // Read before the transaction: it runs each changed flow's module in a child process.
        const specs = specsOf(
          file,
          valued.map((v) => v.spec),
          folder,
          bundle.hash,
          report.warnings,
        );
        plans.push({
          abs,
          deploy: (bySource) => {
            saveBundle(store, bundle);
            if (file.pools.length) applyWorkPools(store, file.pools);
            setFileWebhooks(store, file.file, file.webhooks);
            for (const [i, d] of file.deployments.entries()) {
              const spec = specs[i]!;
              const { change } = upsertDeployment(store, {
                spec,
                hash: versionHash(spec, used[i]!.hash),
                files: used[i]!.files,
                bundle: bundle.hash,
                sourceFile: file.file,
                sourceLine: d.line,
              });
              (change === "unchanged"
                ? report.unchanged
                : change === "updated"
                  ? report.updated
                  : report.created
              ).push(d.spec.name);
            }
            const names = new Set(file.deployments.map((d) => d.spec.name));
            for (const name of bySource.get(file.file) ?? []) {
              if (!names.has(name) && getDeployment(store, name)?.source_file === file.file) {
                if (removeDeployment(store, name, `no longer in ${file.file}`))
                  report.removed.push(name);
              }
            }
          },
        });
      } catch (error) {
        if (!(error instanceof OrchError)) throw error;
        report.invalid.push({
          file: file.file,
          problems: [{ where: file.file, message: error.message }],
        });
      }
    }
    if (!write) {
      // A check writes nothing: every valid deployment is listed as one that would be created.
      for (const plan of plans)
        report.created.push(...(parsed.get(plan.abs)?.deployments.map((d) => d.spec.name) ?? []));
      return report;
    }
    lastInvalid = new Set([...invalid.keys()].filter((abs) => parsed.has(abs)));
    const invalidNow = report.invalid.map((bad) => bad.file);
    const problemsNow = report.invalid.map((bad) => ({
      file: bad.file,
      problems: bad.problems.map(renderProblem),
    }));
    // A file only re-checked (not saved) is reported again only when its problems changed:
    // one save of one broken file is one report, not one more with every other save.
    for (const abs of [...touched, ...gone]) if (!invalid.has(abs)) reported.delete(rel(abs));
    report.invalid = report.invalid.filter((bad) => {
      const problems = JSON.stringify(bad.problems);
      const same = reported.get(bad.file) === problems;
      reported.set(bad.file, problems);
      return !(same && rechecked.has(bad.file));
    });
    store.tx(() => {
      const bySource = new Map<string, string[]>();
      for (const row of listDeployments(store)) {
        if (row.source_file)
          bySource.set(row.source_file, [...(bySource.get(row.source_file) ?? []), row.name]);
      }
      for (const plan of plans) plan.deploy(bySource);
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
      for (const file of invalidNow) markSourceInvalid(store, file, true);
      // Every problem of every broken file is kept (not only those reported now), so a view
      // that opens later lists them all; a file valid again or gone is cleared, and says so.
      for (const { file, problems } of problemsNow) setFileProblems(store, file, problems);
      const validAgain = (file: string, deployments: string[], deleted: boolean) => {
        if (!deleted) report.valid_again.push({ file, deployments });
        recordEvent(store, "deployment.valid-again", file, { file, deployments, deleted });
      };
      for (const plan of plans) {
        const file = rel(plan.abs);
        const names = markSourceInvalid(store, file, false);
        if (clearFileProblems(store, file) || names.length) validAgain(file, names, false);
      }
      const seen = new Set([...touched].map(rel));
      for (const { file } of listFileProblems(store)) {
        const isGone = [...gone].some((abs) => rel(abs) === file) || (full && !seen.has(file));
        if (isGone && clearFileProblems(store, file)) validAgain(file, [], true);
      }
      for (const abs of gone) {
        setFileWebhooks(store, rel(abs), []);
        for (const name of bySource.get(rel(abs)) ?? []) {
          const moved = getDeployment(store, name)?.source_file !== rel(abs);
          const skipped = warnings.some((w) => w.where === rel(abs));
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
    return report;
  };

  return {
    deployAll() {
      parsed.clear();
      const warnings: Problem[] = [];
      const files = findAll(warnings).filter((abs) => read(abs, warnings));
      const known = new Set(files.map(rel));
      const gone = new Set<string>();
      for (const row of listDeployments(store)) {
        if (row.source_file && !known.has(row.source_file))
          gone.add(`${paths.root}/${row.source_file}`);
      }
      for (const hook of listWebhooks(store)) {
        if (!known.has(hook.source_file)) gone.add(`${paths.root}/${hook.source_file}`);
      }
      return apply(new Set(files), gone, true, warnings, new Set(), true);
    },
    deployChanged(changed) {
      const touched = new Set<string>();
      const gone = new Set<string>();
      const warnings: Problem[] = [];
      for (const abs of changed) {
        if (isDefinitionPath(paths.flows, abs)) {
          // A file skipped now counts as gone, as it does at start.
          if (read(abs, warnings)) touched.add(abs);
          else gone.add(abs);
        }
        // A changed code file touches every definition whose folder holds it.
        for (const def of parsed.keys()) {
          if (!isDefinitionFile(abs) && abs.startsWith(`${dirname(def)}${sep}`)) touched.add(def);
        }
      }
      // A file that was invalid only for a name defined elsewhere may be valid now.
      const rechecked = new Set<string>();
      for (const abs of lastInvalid) {
        if (!parsed.has(abs) || touched.has(abs)) continue;
        touched.add(abs);
        rechecked.add(rel(abs));
      }
      return apply(touched, gone, true, warnings, rechecked);
    },
    check() {
      parsed.clear();
      const warnings: Problem[] = [];
      const files = findAll(warnings).filter((abs) => read(abs, warnings));
      return apply(new Set(files), new Set(), false, warnings);
    },
  };
}
