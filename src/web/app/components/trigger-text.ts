/** A trigger as the deployments page says it: what it waits for, in a few words. */
import type { TriggerStateJson } from "../../../core/index.ts";

/**
 * What a trigger matches: its event and the fields it asks of it
 * (`flow-run.completed (deployment: ingest)`), or a files: trigger's glob and folder.
 */
export function triggerMatches(t: Pick<TriggerStateJson, "on" | "match" | "files">): string {
  // A files: trigger's own watch id is orch's, not the user's: left out.
  const fields = Object.entries(t.match)
    .filter(([key]) => !(t.files && key === "watch"))
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(" | ") : value}`);
  const what = t.files ? `files ${t.files.glob} in ${t.files.folder}` : t.on;
  return fields.length ? `${what} (${fields.join(", ")})` : what;
}

/** A deployment's triggers, by its name (GET /api/triggers lists every deployment's). */
export function triggersByDeployment(
  triggers: readonly TriggerStateJson[],
): Map<string, TriggerStateJson[]> {
  const by = new Map<string, TriggerStateJson[]>();
  for (const t of triggers) by.set(t.deployment, [...(by.get(t.deployment) ?? []), t]);
  return by;
}
