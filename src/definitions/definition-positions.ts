import { type Document, isMap, type Node, type Pair } from "yaml";
import { renderPath } from "../core/json-schema.ts";
import type { Path } from "./definition-values.ts";

/** Sort key of `file:line:col`. */
export function position(where = ""): number {
  const [, line = "0", col = "0"] = /:(\d+):(\d+)$/.exec(where) ?? [];
  return Number(line) * 10_000 + Number(col);
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
