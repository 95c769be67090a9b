/**
 * The first half of a deploy pass: each definition file touched is checked whole (its own
 * problems, the flow files, secrets and variables its deployments name, the flows' own options)
 * and, when it holds none, turned into the writes that deploy it. Nothing is written to the
 * store here; a file's bundle objects are (content-addressed, outside any transaction).
 */
import { dirname } from "node:path";
import {
  type DeployReport,
  OrchError,
  type Problem,
  type ProjectPaths,
  type Sliced,
} from "../core/index.ts";
import {
  getDeployment,
  removeDeployment,
  type Store,
  saveBundle,
  setFilePools,
  setFileWebhooks,
  upsertDeployment,
} from "../store/index.ts";
import { type Bundle, storeBundleObjects } from "./bundles.ts";
import { sortProblems } from "./definition-positions.ts";
import { versionHash } from "./deploy-folder.ts";
import {
  type KnownValues,
  knownValues,
  unknownValues,
  withNamedValues,
} from "./deployment-values.ts";
import type { createFlowSpecs } from "./flow-defaults.ts";
import type { CwdCheck } from "./local-cwd.ts";
import type { ParsedFile } from "./parse-definitions.ts";
import { type VersionFiles, versionFiles } from "./version-files.ts";

/** One write of a pass: a file's bundle and pools, one deployment, or a file's removals. */
export type Write = (bySource: Map<string, string[]>) => void;

/** What deploying one valid file takes: its writes, in order. */
export interface FilePlan {
  abs: string;
  writes: Write[];
  /** How many deployments it holds (a pass's progress counts them). */
  deployments: number;
  /** Each deployment's name and the hash of the version it makes (a check compares them). */
  versions: { name: string; hash: string }[];
}

/** What planning reads: the store, the project, the flows' own options, the pass's bundles. */
export interface PlanContext {
  store: Store;
  paths: ProjectPaths;
  /** A path as users see it (project-relative, with `/`). */
  rel: (abs: string) => string;
  /** The secrets and variables that exist, when `store` is not the project's (a check's). */
  known?: KnownValues;
  specsOf: ReturnType<typeof createFlowSpecs>;
  /** The bundle of a definition's folder, scanned once per pass. */
  bundleOf: (folder: string) => Bundle;
  /** false for a check: no bundle objects are stored. */
  write: boolean;
  /** The pass's check of absolute cwds on this machine. */
  cwdCheck: CwdCheck;
}

/**
 * Plan the files in `touched` (yielding between files, and between a large file's deployments):
 * a file with a problem goes to `report.invalid` with every problem found, the others to the
 * plans returned. `invalid` holds the problems found across files (names defined twice).
 */
export function* planFiles(
  ctx: PlanContext,
  parsed: ReadonlyMap<string, ParsedFile>,
  touched: ReadonlySet<string>,
  invalid: ReadonlyMap<string, Problem[]>,
  report: DeployReport,
): Sliced<FilePlan[]> {
  const { store, paths, rel } = ctx;
  let known: KnownValues | undefined;
  const plans: FilePlan[] = [];
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
      const bundle = ctx.bundleOf(folder);
      // A flow file deleted or renamed since the definition was read would deploy a version
      // that cannot run: the file is invalid until it names a file of its bundle again.
      const present = file.deployments.filter((d) => {
        const flow = d.spec.flow;
        if (!flow || bundle.files.some((f) => f.path === flow.path)) return true;
        problems.push({
          where: d.flowAt ?? `${file.file}:${d.line}`,
          message: `flow: "./${flow.path}" does not exist any more (deleted or renamed)`,
        });
        return false;
      });
      for (const d of present) {
        const problem = ctx.cwdCheck(d, file.file);
        if (problem) problems.push(problem);
      }
      // Secrets and variables named (in the definition, or in the flow's code) must exist.
      known ??= ctx.known ?? knownValues(store);
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
      const specs = ctx.specsOf(
        file.file,
        present,
        valued.map((v) => v.spec),
        folder,
        bundle.hash,
        problems,
      );
      if (problems.length) {
        report.invalid.push({ file: file.file, problems: sortProblems(problems, file.file) });
        continue;
      }
      // Objects are content-addressed, so they are written before (and outside) the
      // transaction: one never holds the store's write lock while files are copied.
      if (ctx.write) storeBundleObjects(paths.bundles, folder, bundle);
      const writes: Write[] = [
        () => {
          saveBundle(store, bundle);
          setFilePools(store, file.file, file.pools);
          setFileWebhooks(store, file.file, file.webhooks);
        },
      ];
      const versions = file.deployments.map((d, i) => ({
        name: d.spec.name,
        hash: versionHash(specs[i]!, used[i]!.hash),
      }));
      for (const [i, d] of file.deployments.entries()) {
        writes.push(() => {
          const spec = specs[i]!;
          const { change, rollbackEnded } = upsertDeployment(store, {
            spec,
            hash: versions[i]!.hash,
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
      plans.push({ abs, writes, deployments: file.deployments.length, versions });
    } catch (error) {
      if (!(error instanceof OrchError)) throw error;
      report.invalid.push({
        file: file.file,
        problems: sortProblems(
          [...problems, { where: file.file, message: error.message }],
          file.file,
        ),
      });
    }
  }
  return plans;
}
