import { type DeploymentSpec, iso, type ReferenceValues } from "../core/index.ts";
import { materializeBundle, resolveInfrastructure } from "../definitions/index.ts";
import {
  deploymentSpec,
  getBundle,
  getVersion,
  getWorkPool,
  type RunRow,
  runSlotAt,
  type Store,
  specForRun,
} from "../store/index.ts";
import type { RunJob } from "./run-job.ts";

/** A version's spec and files on disk; versions never change, so this is cached for good. */
interface VersionFiles {
  spec: DeploymentSpec;
  bundleDir: string;
  /** No files of its own: it runs in the work dir itself. */
  inPlace: boolean;
}

/** The values a run's version names (a project's secrets and variables: see createSecrets). */
export type ValueSource = (spec: DeploymentSpec) => ReferenceValues;

/** Turns claimed runs into jobs for the runner, materializing each version's files once. */
export function createJobLoader(
  store: Store,
  bundlesDir: string,
  workDir: string,
  values?: ValueSource,
) {
  const versions = new Map<string, Promise<VersionFiles>>();
  /** The same once ready: a run of a version already on disk is made ready without a wait. */
  const ready = new Map<string, VersionFiles>();

  const loadVersion = async (deploymentId: number, version: number): Promise<VersionFiles> => {
    const row = getVersion(store, deploymentId, version);
    if (!row) throw new Error(`version ${version} of its deployment is not in the store`);
    const spec = deploymentSpec(row);
    if (!row.bundle) return { spec, bundleDir: workDir, inPlace: true };
    const manifest = getBundle(store, row.bundle);
    if (!manifest)
      throw new Error(
        `the files of version ${version} (bundle ${row.bundle}) are not in the store`,
      );
    return { spec, bundleDir: await materializeBundle(bundlesDir, manifest), inPlace: false };
  };

  /**
   * The job of `run`: at once when its version's files are on disk already (its process can then
   * start within the caller's turn), else once they are.
   */
  return (run: RunRow): RunJob | Promise<RunJob> => {
    if (run.deployment_id === null || run.version === null) {
      throw new Error("this run has no deployment version to run");
    }
    const key = `${run.deployment_id}:${run.version}`;
    const known = ready.get(key);
    if (known) return jobOf(run, known);
    let files = versions.get(key);
    if (!files) {
      files = loadVersion(run.deployment_id, run.version);
      versions.set(key, files);
      files.then(
        (loaded) => ready.set(key, loaded),
        () => versions.delete(key),
      );
    }
    return files.then((loaded) => jobOf(run, loaded));
  };

  function jobOf(run: RunRow, { spec: versionSpec, bundleDir, inPlace }: VersionFiles): RunJob {
    const spec = specForRun(versionSpec, run);
    return {
      runId: run.id,
      deployment: run.deployment ?? spec.name,
      spec,
      // Merged over the deployment's defaults when the run was created (createDeploymentRun).
      parameters: JSON.parse(run.parameters) as Record<string, unknown>,
      bundleDir,
      inPlace,
      attempt: run.attempt + 1,
      // Read for each attempt: a secret changed since the last one is used from now on.
      ...(values ? { values: values(spec) } : {}),
      scheduledAt: iso(runSlotAt(run))!,
      // The pool's template as it is now, with this version's job_variables over it.
      infrastructure: resolveInfrastructure(getWorkPool(store, run.work_pool), spec.job_variables),
    };
  }
}
