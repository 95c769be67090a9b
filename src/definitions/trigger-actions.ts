import type { ActionSpec } from "../core/index.ts";
import { templateProblems } from "../events/index.ts";
import { isObject, type Path } from "./definition-values.ts";

/** Fields of an action that take templates, and whether secrets may appear in them. */
const SECRET_FIELDS = new Set(["url", "headers", "body"]);

/** One action as written (a bare name, or { kind: value }) as stored. */
export function toAction(value: unknown): ActionSpec | null {
  if (typeof value === "string") return { type: value as ActionSpec["type"] };
  if (!isObject(value)) return null;
  const [kind, setting] = Object.entries(value)[0] ?? [];
  switch (kind) {
    case "run":
    case "pause":
    case "resume":
      return { type: kind, deployment: String(setting) };
    case "cancel":
      return { type: kind, run: String(setting) };
    case "webhook":
      if (typeof setting === "string") return { type: kind, url: setting };
      if (!isObject(setting)) return null;
      return {
        type: kind,
        url: String(setting.url),
        ...(setting.body !== undefined ? { body: setting.body } : {}),
        ...(isObject(setting.headers)
          ? {
              headers: Object.fromEntries(
                Object.entries(setting.headers).map(([k, v]) => [k, String(v)]),
              ),
            }
          : {}),
      };
    case "shell":
      return {
        type: kind,
        command: Array.isArray(setting) ? setting.map(String) : String(setting),
      };
    case "notify":
      if (typeof setting === "string") return { type: kind, message: setting };
      if (!isObject(setting)) return null;
      return {
        type: kind,
        ...(typeof setting.title === "string" ? { title: setting.title } : {}),
        ...(typeof setting.message === "string" ? { message: setting.message } : {}),
      };
    default:
      return null;
  }
}

/**
 * What is wrong with an action's templates, each with the key path inside what is written under
 * the action's key (`written`: the URL text, or the mapping with url, body and headers).
 */
export function actionProblems(
  action: ActionSpec,
  written: unknown,
  payload?: { on: string; keys: readonly string[] },
): { path: Path; message: string }[] {
  const problems: { path: Path; message: string }[] = [];
  for (const [field, value] of Object.entries(action)) {
    if (field === "type") continue;
    if (field === "command" && typeof value === "string") {
      // A shell string never gets event values spliced into its code: they come as variables.
      if (value.includes("{{")) {
        problems.push({
          path: [],
          message:
            'a shell string takes no {{ }}: read the event from $ORCH_EVENT_NAME, $ORCH_EVENT_RESOURCE, $ORCH_EVENT_ID, $ORCH_EVENT_PAYLOAD (JSON) or $ORCH_MESSAGE, or give argv (["notify.sh", "{{ event.name }}"])',
        });
      }
      continue;
    }
    const inside = isObject(written) && field !== "command" ? [field] : [];
    problems.push(
      ...templateProblems(value, inside, {
        secrets: SECRET_FIELDS.has(field),
        ...(payload ? { payload } : {}),
      }),
    );
  }
  return problems;
}

/** The key an action is written under in a definition. */
export function actionKey(action: ActionSpec): string {
  return action.type === "notify" ? "desktop" : action.type;
}
