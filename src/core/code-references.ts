/**
 * The secrets and variables a flow's code names (`getSecret("x")`, `getVariable("x")`): what its
 * runs receive, whether deployed (definitions/), run ad hoc (worker/) or tested (sdk/). Apart
 * from the definitions' parser, so none of those loads YAML for it; not in core's index, so
 * commands that import the index load no node:fs for it.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, parse, relative } from "node:path";
import { flowModules } from "./flow-modules.ts";
import { findCodeReferences, type NamedValue } from "./references.ts";

/** The secrets and variables a flow's module names in SDK calls, with where (`flows/etl.ts:4:20`). */
export function codeReferences(text: string, file: string): NamedValue[] {
  return findCodeReferences(text).map((ref) => {
    const before = text.slice(0, ref.index);
    const line = before.split("\n").length;
    const col = ref.index - before.lastIndexOf("\n");
    return { kind: ref.kind, name: ref.name, where: `${file}:${line}:${col}` };
  });
}

/**
 * The secrets and variables named in SDK calls by the `modules` of a flow (paths relative to
 * `folder`, as flowModules finds them), each with where; `rel` is the folder as users see it.
 */
export function modulesReferences(
  folder: string,
  modules: readonly string[],
  rel = "",
): NamedValue[] {
  const found: NamedValue[] = [];
  for (const module of modules) {
    let text: string;
    try {
      text = readFileSync(join(folder, module), "utf8");
    } catch {
      continue;
    }
    found.push(...codeReferences(text, rel ? `${rel}/${module}` : module));
  }
  return found;
}

/** The names of the secrets and variables a run receives, by kind. */
export interface ValueNames {
  secrets: string[];
  variables: string[];
}

/**
 * What a run of the flow `file` (absolute) receives when it runs ad hoc (`orch flow run`, a
 * replay): the names its file and the local modules it imports use, by the rule a deployment's
 * are found with (withNamedValues), so the same code gets the same values either way.
 */
export function flowValueNames(file: string): ValueNames {
  // Any local module counts, wherever it lies: paths are taken from the file system's root.
  const root = parse(file).root;
  const isFile = (path: string) => {
    const full = join(root, path);
    return existsSync(full) && statSync(full).isFile();
  };
  return valueNames(
    modulesReferences(root, flowModules(root, relative(root, file), { has: isFile })),
  );
}

/** The names `refs` hold, by kind: each once, sorted. */
export function valueNames(refs: readonly NamedValue[]): ValueNames {
  const names = (kind: NamedValue["kind"]) =>
    [...new Set(refs.filter((r) => r.kind === kind).map((r) => r.name))].sort();
  return { secrets: names("secrets"), variables: names("variables") };
}
