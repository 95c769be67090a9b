import { type Document, isMap, type Node, type Pair } from "yaml";
import type { Problem } from "../core/index.ts";
import { renderPath } from "../core/json-schema.ts";
import type { Path } from "./definition-values.ts";

/** A problem's `file:line:col` (or `file:line`, or `file`) as its file and a sort key inside it. */
function placeOf(where = ""): { file: string; at: number } {
  const [, file = where, line = "0", col = "0"] = /^(.*?):(\d+)(?::(\d+))?$/.exec(where) ?? [];
  return { file, at: Number(line) * 10_000 + Number(col) };
}

/**
 * Problems in reading order, as a user fixes them: those of `first` (the definition file) by line
 * and column (one about the file as a whole before them), then those of other files (a flow's
 * code), by path and position. The sort is stable: problems at one place keep their order.
 */
export function sortProblems(problems: Problem[], first?: string): Problem[] {
  const places = new Map(problems.map((p) => [p, placeOf(p.where)]));
  return problems.sort((a, b) => {
    const [pa, pb] = [places.get(a)!, places.get(b)!];
    if (pa.file !== pb.file) {
      if (pa.file === first || pb.file === first) return pa.file === first ? -1 : 1;
      return pa.file < pb.file ? -1 : 1;
    }
    return pa.at - pb.at;
  });
}

/** The key path as shown in a problem, without the deployment prefix (its line says which). */
export function describePath(path: Path, key?: string): string {
  const inner = path[0] === "deployments" && typeof path[1] === "number" ? path.slice(2) : path;
  const full = key === undefined ? inner : [...inner, key];
  return full.length ? `${renderPath(full)}: ` : "";
}

/** The offset of the node at `path` (or of `key` inside it), falling back to its nearest parent. */
export function offsetOf(doc: Document, path: Path, key?: string): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = (
      depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true)
    ) as Node | null;
    if (!node || !("range" in node) || !node.range) continue;
    if (key !== undefined && depth === path.length && isMap(node)) {
      const pair = node.items.find((p: Pair) => (p.key as { value?: unknown })?.value === key);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return keyNode.range[0];
    }
    return node.range[0];
  }
  return 0;
}
