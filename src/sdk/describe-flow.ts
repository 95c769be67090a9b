/**
 * The describe entry (`orch __flow-describe FILE EXPORT`): what `orch deploy` runs to read a
 * flow's options without running it. The file is imported (its top-level code runs), its flow
 * is not called; one JSON line on stdout says what the flow declares (FlowMetadata).
 */
import { dirname, resolve } from "node:path";
import type { FlowMetadata } from "../core/deployment.ts";
import { durationMs, isFlow } from "./flow.ts";
import { toJsonSchema } from "./parameters.ts";
import { loadFlow } from "./run-flow.ts";
import { buildProblem, missingPackage, throwSite } from "./run-output.ts";

/** Print the flow's metadata; exit code 0, or 2 with the reason on stderr. */
export async function describeFlow(argv: string[]): Promise<number> {
  const [file, name = "default"] = argv;
  if (!file) {
    console.error("usage: orch __flow-describe FILE [EXPORT]");
    return 2;
  }
  try {
    const loaded = await loadFlow(file, name);
    if ("error" in loaded) {
      console.error(loaded.error);
      return 2;
    }
    const { fn } = loaded;
    // A plain function is a flow with nothing declared.
    const meta: FlowMetadata = {};
    if (isFlow(fn)) {
      const o = fn.orchFlow;
      meta.name = o.name;
      if (o.description !== undefined) meta.description = o.description;
      if (o.tags !== undefined) meta.tags = o.tags.map(String);
      if (o.retries !== undefined) meta.retries = o.retries;
      const delay = durationMs(fn, "retryDelay");
      if (delay !== null) meta.retry_delay_ms = delay;
      const timeout = durationMs(fn, "timeout");
      if (timeout !== null) meta.timeout_ms = timeout;
      const schema = toJsonSchema(o.parameters);
      if (o.parameters !== undefined && !schema) {
        throw new Error(
          `flow ${o.name}: its parameters schema cannot say its JSON Schema; give a JSON Schema, or a Standard Schema with ~standard.jsonSchema (Zod 4.2 or later)`,
        );
      }
      if (schema) meta.parameter_schema = schema;
    }
    process.stdout.write(`${JSON.stringify(meta)}\n`);
    return 0;
  } catch (error) {
    // Told as what went wrong where (relative to the flow's folder): the deploy names the file.
    const folder = dirname(resolve(file));
    const missing = missingPackage(error, folder);
    const built = buildProblem(error, folder)?.message;
    if (missing) console.error(missing);
    else if (built) console.error(`syntax error at ${built}`);
    else {
      // Top-level code that threw: where, in the flow's files.
      const site = throwSite(error, folder);
      const message = error instanceof Error ? error.message || error.name : String(error);
      console.error(`its top-level code threw${site ? ` at ${site}` : ""}: ${message}`);
    }
    return 2;
  }
}
