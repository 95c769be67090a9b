// One file on purpose: the deployer's verbs share one closure (each file's last parse, the file
// hash cache, the set of broken files), and splitting it would pass that state around.
import { dirname, relative, sep } from "node:path";
import {
  type DeployReport,
  OrchError,
  type Pacer,
  type Problem,
  type ProjectPaths,
  renderProblem,
  runAtOnce,
  runPaced,
  type Sliced,
  unpaced,
} from "../core/index.ts";
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
  saveBundle,
  setFilePools,
  setFileProblems,
  setFileWebhooks,
  setProjectRetention,
  upsertDeployment,
} from "../store/index.ts";
import { type Bundle, type FileHashCache, scanBundle, storeBundleObjects } from "./bundles.ts";
import { collectInvalid } from "./collect-invalid.ts";
import { versionHash } from "./deploy-folder.ts";
import {
  type KnownValues,
  knownValues,
  unknownValues,
  withNamedValues,
} from "./deployment-values.ts";
import {
  findDefinitionFiles,
  isDefinitionFile,
  isDefinitionPath,
} from "./find-definition-files.ts";
import { createFlowSpecs, type DescribeFlow } from "./flow-defaults.ts";
import type { ParsedFile } from "./parse-definitions.ts";
import { loadDefinitionFile } from "./read-files.ts";
import {
  type DefinitionReader,
  type LoadedDefinition,
  ReaderUnavailable,
} from "./read-off-thread.ts";
import { type VersionFiles, versionFiles } from "./version-files.ts";

/** How far a deploy pass is: files read, then deployments written. */
export interface DeployProgress {
  phase: "reading" | "deploying";
  done: number;
  total: number;
}

/** How a paced deploy pass runs: its pacer, and who hears of its progress. */
export interface PacedDeploy {
  pacer: Pacer;
  onProgress?: (progress: DeployProgress) => void;
}

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

/** Definition files read ahead (off the thread), by absolute path. */
type ReadAhead = Map<string, LoadedDefinition>;

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
  const readOne = (
    abs: string,
    warnings: Problem[],
    loaded = loadDefinitionFile(abs, paths.root),
  ): boolean => {
    if (loaded && !("skipped" in loaded)) {
      parsed.set(abs, loaded);
      return true;
    }
    if (loaded) warnings.push({ where: rel(abs), message: loaded.skipped });
    parsed.delete(abs);
    return false;
  };

  const bundleOf = (folder: string, pass: Map<string, Bundle>): Bundle => {
    let bundle = pass.get(folder);
    if (!bundle) {
      bundle = scanBundle(folder, hashes, rel(folder) || ".");
      pass.set(folder, bundle);
    }
    return bundle;
  };

  /** Every definition file of the project, and a warning for each folder that cannot be read. */
  const findAll = (warnings: Problem[]) =>
    findDefinitionFiles(paths.flows, (dir, code) =>
      warnings.push({
        where: rel(dir),
        message: `cannot be read (${code}); the definition files in it are not seen until it is readable`,
      }),
    );

  /** One write of a pass: a file's bundle and pools, one deployment, or a file's removals. */
  type Write = (bySource: Map<string, string[]>) => void;

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
    const report: DeployReport = {
      created: [],
      updated: [],
      removed: [],
      unchanged: [],
      invalid: [],
      valid_again: [],
      rollbacks_ended: [],
      warnings,
    };
    const holders = options.known?.holders;
    const invalid = collectInvalid(
      parsed,
      (name) =>
        (holders ? holders.get(name) : getDeployment(store, name)?.source_file) ?? undefined,
      rel,
    );
    const pass = new Map<string, Bundle>();
    let known: KnownValues | undefined;
    const plans: { abs: string; writes: Write[]; deployments: number }[] = [];
    for (const abs of touched) {
      yield;
      const file = parsed.get(abs);
      if (!file) continue;
      // Every problem of the file in one pass: its own (and its names defined elsewhere), then
      // those of what its deployments that built name (flow files, secrets, variables, the flows'
      // code), so fixing one never uncovers the next.
      const problems = [...(invalid.get(abs) ?? [])];
      try {
        const folder = dirname(abs);
        const bundle = bundleOf(folder, pass);
        // A flow file deleted or renamed since the definition was read would deploy a version
        // that cannot run: the file is invalid until it names a file of its bundle again.
        const present = file.deployments.filter((d) => {
          const flow = d.spec.flow;
          if (!flow || bundle.files.some((f) => f.path === flow.path)) return true;
          problems.push({
            where: `${file.file}:${d.line}`,
            message: `flow: "./${flow.path}" does not exist any more (deleted or renamed)`,
          });
          return false;
        });
        // Secrets and variables named (in the definition, or in the flow's code) must exist.
        known ??= options.known ?? knownValues(store);
        const used: VersionFiles[] = [];
        const valued: ReturnType<typeof withNamedValues>[] = [];
        for (const d of present) {
          used.push(versionFiles(d.spec, folder, bundle));
          valued.push(withNamedValues(d, folder, used.at(-1)!.modules, known, rel(folder)));
          // A file of thousands of deployments is prepared in slices too.
          yield;
        }
        problems.push(...valued.flatMap((v) => v.problems));
        if (file.unbuiltReferences) problems.push(...unknownValues(file.unbuiltReferences, known));
        // Read before the transaction: it runs each changed flow's module in a child process.
        const specs = specsOf(
          file.file,
          present,
          valued.map((v) => v.spec),
          folder,
          bundle.hash,
          problems,
        );
        if (problems.length) {
          report.invalid.push({ file: file.file, problems });
          continue;
        }
        // Objects are content-addressed, so they are written before (and outside) the
        // transaction: one never holds the store's write lock while files are copied.
        if (write) storeBundleObjects(paths.bundles, folder, bundle);
        const writes: Write[] = [
          () => {
            saveBundle(store, bundle);
            setFilePools(store, file.file, file.pools);
            setFileWebhooks(store, file.file, file.webhooks);
          },
        ];
        for (const [i, d] of file.deployments.entries()) {
          writes.push(() => {
            const spec = specs[i]!;
            const { change, rollbackEnded } = upsertDeployment(store, {
              spec,
              hash: versionHash(spec, used[i]!.hash),
              files: used[i]!.files,
              bundle: bundle.hash,
              sourceFile: file.file,
              sourceLine: d.line,
            });
            if (rollbackEnded !== undefined)
              report.rollbacks_ended.push({ name: d.spec.name, ...rollbackEnded });
            (change === "unchanged"
              ? report.unchanged
              : change === "updated"
                ? report.updated
                : report.created
            ).push(d.spec.name);
          });
        }
        writes.push((bySource) => {
          const names = new Set(file.deployments.map((d) => d.spec.name));
          for (const name of bySource.get(file.file) ?? []) {
            if (!names.has(name) && getDeployment(store, name)?.source_file === file.file) {
              if (removeDeployment(store, name, `no longer in ${file.file}`))
                report.removed.push(name);
            }
          }
        });
        plans.push({ abs, writes, deployments: file.deployments.length });
      } catch (error) {
        if (!(error instanceof OrchError)) throw error;
        report.invalid.push({
          file: file.file,
          problems: [...problems, { where: file.file, message: error.message }],
        });
      }
    }
    if (!write) {
      // A check writes nothing: every valid deployment is listed as one that would be created.
      for (const plan of plans)
        report.created.push(...(parsed.get(plan.abs)?.deployments.map((d) => d.spec.name) ?? []));
      return report;
    }
    // What a later pass re-checks: files invalid as read, and files refused in a pass for a name
    // defined elsewhere (a secret or variable not set yet), this pass's or an earlier one's.
    const refused = new Set(report.invalid.map((bad) => bad.file));
    lastInvalid = new Set(
      [
        ...invalid.keys(),
        ...[...lastInvalid].filter((abs) => !touched.has(abs)),
        ...[...touched].filter((abs) => refused.has(rel(abs))),
      ].filter((abs) => parsed.has(abs) && !gone.has(abs)),
    );
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
    // Which deployments each file held before this pass: read once, before the first write.
    const bySource = new Map<string, string[]>();
    for (const row of deploymentSources(store)) {
      if (!row.source_file) continue;
      const names = bySource.get(row.source_file);
      if (names) names.push(row.name);
      else bySource.set(row.source_file, [row.name]);
    }
    // The writes go in transactions that end with the pacer's slice: a large project's deploy
    // never holds the write lock (nor, in the server, the API) for long. Each deployment is
    // written whole in one transaction, so none is ever seen half written.
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
        // A file never valid before had no deployments to mark: it names those it deploys now.
        const held = parsed.get(plan.abs)?.deployments.map((d) => d.spec.name) ?? [];
        if (clearFileProblems(store, file) || names.length)
          validAgain(file, names.length ? names : held, false);
      }
      const seen = new Set([...touched].map(rel));
      const goneFiles = new Set([...gone].map(rel));
      for (const { file } of listFileProblems(store)) {
        const isGone = goneFiles.has(file) || (full && !seen.has(file));
        if (isGone && clearFileProblems(store, file)) validAgain(file, [], true);
      }
      for (const abs of gone) {
        setFileWebhooks(store, rel(abs), []);
        setFilePools(store, rel(abs), []);
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
  }

  /**
   * Read these definition files (yielding between them), or take them as read ahead; those
   * that are definitions.
   */
  function* readFiles(
    files: string[],
    warnings: Problem[],
    how: PacedDeploy,
    ahead?: ReadAhead,
  ): Sliced<string[]> {
    const read: string[] = [];
    for (const [i, abs] of files.entries()) {
      if (ahead?.has(abs)) {
        if (readOne(abs, warnings, ahead.get(abs))) read.push(abs);
      } else {
        if (readOne(abs, warnings)) read.push(abs);
        how.onProgress?.({ phase: "reading", done: i + 1, total: files.length });
      }
      yield;
    }
    return read;
  }

  /** Read `files` on the reader's thread; nothing when there is none (they are read here). */
  const readAhead = async (files: string[], how: PacedDeploy): Promise<ReadAhead | undefined> => {
    if (!options.reader || !files.length) return undefined;
    try {
      const total = files.length;
      const loaded = await options.reader.read(files, paths.root, (done) =>
        how.onProgress?.({ phase: "reading", done, total }),
      );
      return new Map(files.map((abs, i) => [abs, loaded[i] ?? null]));
    } catch (error) {
      if (error instanceof ReaderUnavailable) return undefined;
      throw error;
    }
  };

  /** Every definition file of the project, with the warnings finding them gave. */
  const findFiles = () => {
    const warnings: Problem[] = [];
    return { files: findAll(warnings), warnings };
  };

  function* deployAllSteps(
    how: PacedDeploy,
    found = findFiles(),
    ahead?: ReadAhead,
  ): Sliced<DeployReport> {
    parsed.clear();
    const { warnings } = found;
    const files = yield* readFiles(found.files, warnings, how, ahead);
    const known = new Set(files.map(rel));
    const gone = new Set<string>();
    for (const row of deploymentSources(store)) {
      if (row.source_file && !known.has(row.source_file))
        gone.add(`${paths.root}/${row.source_file}`);
    }
    for (const hook of listWebhooks(store)) {
      if (!known.has(hook.source_file)) gone.add(`${paths.root}/${hook.source_file}`);
    }
    for (const file of poolSourceFiles(store)) {
      if (!known.has(file)) gone.add(`${paths.root}/${file}`);
    }
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
    const definitions = definitionsIn(changed);
    const read = new Set(yield* readFiles(definitions, warnings, how, ahead));
    for (const abs of definitions) {
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
    for (const abs of lastInvalid) {
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
      const found = findFiles();
      return deployAllSteps(how, found, await readAhead(found.files, how));
    }, how.pacer);
  const changedPaced = (changed: string[], how: PacedDeploy) =>
    paced(
      async () => deployChangedSteps(changed, how, await readAhead(definitionsIn(changed), how)),
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
      const warnings: Problem[] = [];
      const files = findAll(warnings).filter((abs) => readOne(abs, warnings));
      return runAtOnce(apply(new Set(files), new Set(), false, warnings, atOnce));
    },
    deployAllPaced: allPaced,
    deployChangedPaced: changedPaced,
  };
}

function emptyReport(): DeployReport {
  return {
    created: [],
    updated: [],
    removed: [],
    unchanged: [],
    invalid: [],
    valid_again: [],
    rollbacks_ended: [],
    warnings: [],
  };
}
