import { posix } from "node:path";
import type { DeploymentSpec, FlowMetadata, Problem } from "../core/index.ts";
import type { Item } from "./definition-values.ts";
import { parameterProblems } from "./parameter-sets.ts";
import type { ParsedDeployment } from "./parse-definitions.ts";

/** Reads what a TypeScript flow declares in code (its options), or why it cannot. */
export type DescribeFlow = (
  folder: string,
  path: string,
  exportName: string,
) => FlowMetadata | { error: string };

/**
 * The specs of a definition file's deployments (`deployments`, of the file `definition`) with their flows' own options as defaults
 * (withFlowDefaults) over `specs` (the file's, one per deployment), each flow read once per
 * content of its bundle (`bundleHash`; a failure is tried again each time). A flow that cannot be read (it does not build, its
 * top-level code throws, the export is not there) is a problem of the definition file, in
 * `problems`: deployed anyway, its deployment would lose what its flow declares (the parameter
 * schema that checks every trigger) and its runs would fail, so the file keeps its last good
 * version, as for any invalid file. Without `describe`, the definitions' specs as they are.
 */
export function createFlowSpecs(describe?: DescribeFlow) {
  // One entry per flow, kept while its bundle's content is the same.
  const described = new Map<string, { hash: string; meta: FlowMetadata | { error: string } }>();
  return (
    definition: string,
    deployments: readonly ParsedDeployment[],
    specs: DeploymentSpec[],
    folder: string,
    bundleHash: string,
    problems: Problem[],
  ) =>
    deployments.map((d, i) => {
      const spec = specs[i] ?? d.spec;
      const flow = spec.flow;
      if (!flow || !describe) return spec;
      const key = `${folder}:${flow.path}:${flow.export}`;
      let meta = described.get(key)?.hash === bundleHash ? described.get(key)?.meta : undefined;
      if (!meta) {
        meta = describe(folder, flow.path, flow.export);
        // Only what loaded is kept: a failure (a timeout on a busy machine too) is tried again
        // at the next deploy rather than holding the file invalid until its folder changes.
        if (!("error" in meta)) described.set(key, { hash: bundleHash, meta });
      }
      if ("error" in meta) {
        problems.push(flowLoadProblem(definition, d, flow, meta.error));
        return spec;
      }
      // The flow's schema checks the parameters the file gives it, as a parameter_schema
      // written in the file would: else its scheduled runs would be refused, one by one, later.
      if (meta.parameter_schema && d.flowParameters) {
        const named = `the parameters of flow ./${flow.path}${flow.export === "default" ? "" : `:${flow.export}`}`;
        problems.push(...parameterProblems(d.flowParameters, meta.parameter_schema as Item, named));
      }
      return withFlowDefaults(spec, d.given, meta);
    });
}

/**
 * A deployment's spec with what its TypeScript flow declares in code as the defaults: each of
 * description, tags, retries, retry delay, timeout and parameter schema comes from the
 * definition file when the file gives it (`given`: the keys it wrote), else from `flow()`.
 * The one place where a flow's own options meet its deployment's.
 */
export function withFlowDefaults(
  spec: DeploymentSpec,
  given: readonly string[],
  flow: FlowMetadata,
): DeploymentSpec {
  const out: DeploymentSpec = { ...spec };
  const unset = (key: string) => !given.includes(key);
  if (unset("description") && flow.description !== undefined) out.description = flow.description;
  if (unset("tags") && flow.tags !== undefined) out.tags = flow.tags;
  if (unset("retries") && flow.retries !== undefined) out.retries = flow.retries;
  if (unset("retry_delay") && flow.retry_delay_ms !== undefined) {
    out.retry_delay_ms = flow.retry_delay_ms;
  }
  if (unset("timeout") && flow.timeout_ms !== undefined) out.timeout_ms = flow.timeout_ms;
  if (unset("parameter_schema") && flow.parameter_schema !== undefined) {
    out.parameter_schema = flow.parameter_schema;
  }
  return out;
}

/**
 * Why a deployment's flow could not be read, said for what it is: an export the file lacks is the
 * definition's mistake (at its `flow:`, with the exports found); a syntax error or top-level code
 * that threw is the flow file's, at its file:line:col in the project.
 */
function flowLoadProblem(
  definition: string,
  d: ParsedDeployment,
  flow: NonNullable<DeploymentSpec["flow"]>,
  error: string,
): Problem {
  const named = `./${flow.path}${flow.export === "default" ? "" : `:${flow.export}`}`;
  const missing = /has no function export named (\S+) \(it exports (.*?)\)/.exec(error);
  if (missing) {
    const exports = missing[2]!;
    const other = exports.split(", ").find((e) => e !== "nothing" && e !== flow.export);
    const hint = other
      ? other === "default"
        ? `; write ./${flow.path} for its default export`
        : `; write ./${flow.path}:${other}`
      : "";
    return {
      where: d.flowAt ?? `${definition}:${d.line}`,
      message: `flow ${named}: ./${flow.path} has no export named ${missing[1]} (it exports ${exports})${hint}`,
    };
  }
  // Positions come relative to the flow's folder: told from the project's root instead.
  const folder = posix.join(posix.dirname(definition), posix.dirname(flow.path));
  const located = error.replace(
    /^(syntax error at |its top-level code threw at )([^\s:]+):(\d+):(\d+)/,
    (_, what: string, path: string, line: string, col: string) =>
      `${what}${posix.join(folder, path)}:${line}:${col}`,
  );
  return {
    where: d.flowAt ?? `${definition}:${d.line}`,
    message: `flow ${named} does not load: ${located}`,
  };
}
