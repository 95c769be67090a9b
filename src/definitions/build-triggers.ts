import type { TriggerSpec } from "../core/index.ts";
import { templateProblems, triggerProblems } from "../events/index.ts";
import { filesOf } from "./build-file-trigger.ts";
import { type Item, isObject, type Path, type Report } from "./definition-values.ts";

/**
 * A deployment's triggers, with each trigger's parameter templates and match checked; `folder`
 * is the definition's (a `files:` trigger's folders are relative to it).
 */
export function buildTriggers(
  item: Item,
  base: Path,
  count: Report,
  folder: string,
): TriggerSpec[] {
  const at = (...keys: (string | number)[]): Path => [...base, ...keys];
  const files = new Map<object, NonNullable<TriggerSpec["files"]>>();
  if (Array.isArray(item.triggers)) {
    item.triggers.forEach((t: unknown, i: number) => {
      if (!isObject(t)) return;
      const watched = filesOf(t, at("triggers", i), folder, count);
      if (watched) files.set(t, watched);
      for (const p of templateProblems(t.parameters, ["parameters"])) {
        count(at("triggers", i, ...p.path), p.message);
      }
      if (typeof t.on !== "string") return;
      for (const p of triggerProblems(t.on, isObject(t.match) ? t.match : {})) {
        const [first, ...rest] = p.key;
        if (first === "match" && rest.length) count(at("triggers", i, "match"), p.message, rest[0]);
        else count(at("triggers", i, first!), p.message);
      }
    });
  }
  return Array.isArray(item.triggers)
    ? item.triggers.filter(isObject).map((t) => {
        // A files: trigger matches the file.arrived events of its own watch.
        const watched = files.get(t);
        return {
          on: watched ? "file.arrived" : String(t.on),
          match: {
            ...(isObject(t.match)
              ? Object.fromEntries(Object.entries(t.match).map(([k, v]) => [k, String(v)]))
              : {}),
            ...(watched ? { watch: watched.watch } : {}),
          },
          parameters: isObject(t.parameters) ? t.parameters : {},
          ...(watched ? { files: watched } : {}),
        };
      })
    : [];
}
