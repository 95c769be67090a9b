/**
 * `createArtifact()`: markdown, a table or a link attached to the run (and to the task it is
 * made in), for people to read: `orch runs artifacts ID` and the monitor's run details show them.
 */
import { artifactProblems } from "../core/artifacts.ts";
import { sdkLog } from "./logger.ts";
import { callRunApi, isTracked } from "./run-context.ts";
import { maskSecrets } from "./run-values.ts";
import { getTaskContext } from "./task-context.ts";

/** An artifact: a key, a type and its data (markdown text, a URL, or rows). */
export type Artifact = { key: string; description?: string } & (
  | { type: "markdown"; data: string }
  | { type: "link"; data: string }
  | { type: "table"; data: Record<string, unknown>[] | unknown[][] }
);

/**
 * Attach an artifact to the run. Bad data throws at once (it is the flow's mistake); a server
 * that does not take it is told on stderr, and the flow goes on. Outside a tracked run it does
 * nothing.
 */
export async function createArtifact(artifact: Artifact): Promise<void> {
  const problems = artifactProblems(artifact.type, artifact.data);
  if (typeof artifact.key !== "string" || !artifact.key || artifact.key.length > 200) {
    problems.unshift("key: must be a string of 1 to 200 characters");
  }
  if (problems.length) {
    throw new Error(`createArtifact ${JSON.stringify(artifact.key)}: ${problems.join("; ")}`);
  }
  if (!isTracked()) return;
  const task = getTaskContext()?.name;
  // Its text is kept as a result is: with the run's secrets masked.
  const body = JSON.parse(
    JSON.stringify({ ...artifact, ...(task ? { task } : {}) }, (_key, v) =>
      typeof v === "string" ? maskSecrets(v) : v,
    ),
  );
  try {
    await callRunApi("POST", "/api/runs/:run/artifacts", body);
  } catch (error) {
    sdkLog.warn(`artifact ${artifact.key} was not kept: ${(error as Error).message}`);
  }
}
