import { isAbsolute, join } from "node:path";
import { fillReferences } from "../core/index.ts";
import { type RenderedCommand, renderCommand } from "./render-command.ts";
import { renderEnv } from "./render-env.ts";
import type { RunJob } from "./run-job.ts";
import { markEnv } from "./run-processes.ts";
import { selfCommand } from "./self-command.ts";

/**
 * What a job starts: its rendered command (with the variables that carry parameters into shell
 * scripts), or orch's flow-run entry for a TypeScript flow.
 */
export function jobCommand(job: RunJob, self?: string[]): RenderedCommand {
  const { spec } = job;
  if (spec.flow) {
    const file = isAbsolute(spec.flow.path) ? spec.flow.path : join(job.bundleDir, spec.flow.path);
    // The code's folder too: the run's errors name files relative to it, not to the run's copy.
    return {
      argv: [...(self ?? selfCommand()), "__flow-run", file, spec.flow.export, job.bundleDir],
      env: {},
    };
  }
  if (!spec.command?.length) throw new Error(`deployment ${job.deployment} has no flow or command`);
  return renderCommand(spec.command, job.parameters, { scheduled_at: job.scheduledAt ?? "" });
}

/** A job ready to start: its argv, and the environment of the run itself (nothing inherited). */
export interface PreparedCommand {
  argv: string[];
  env: Record<string, string | undefined>;
  /** The job with its parameters' references filled. */
  job: RunJob;
}

/**
 * What every attempt starts with, a process's or a container's: `{{ secrets.x }}` and
 * `{{ variables.x }}` filled (at the last moment: the stored run keeps the reference, never the
 * value), the command and the env's placeholders rendered, and the run's own variables: its env, the parameters' carriers,
 * the values getSecret() and getVariable() read, its mark, deployment and parameters. Throws
 * when a reference or a placeholder cannot be filled.
 */
export function prepareCommand(original: RunJob, self?: string[]): PreparedCommand {
  const values = original.values ?? { secrets: {}, variables: {} };
  const job = { ...original, parameters: fillReferences(original.parameters, values) };
  const specEnv = renderEnv(
    original.spec.env,
    job.parameters,
    { scheduled_at: job.scheduledAt ?? "" },
    values,
  );
  const { argv, env: paramEnv } = jobCommand(job, self);
  return {
    argv,
    job,
    env: {
      ...specEnv,
      ...paramEnv,
      // What getSecret() and getVariable() read; the SDK takes them out of its environment at
      // once, so the flow's own child processes do not inherit them.
      ORCH_SECRETS: Object.keys(values.secrets).length ? JSON.stringify(values.secrets) : undefined,
      ORCH_VARIABLES: Object.keys(values.variables).length
        ? JSON.stringify(values.variables)
        : undefined,
      ...markEnv({ runId: job.runId, attempt: job.attempt }),
      ORCH_DEPLOYMENT: job.deployment,
      ORCH_PARAMETERS: JSON.stringify(job.parameters),
      ...(job.scheduledAt ? { ORCH_SCHEDULED_AT: job.scheduledAt } : {}),
    },
  };
}
