import { type Document, isAlias, isMap, isPair, isSeq, type Node } from "yaml";

/**
 * How many values a file's aliases may add once expanded. Each `*name` counts as a copy of the
 * node it names, with the aliases inside that node expanded too. 100,000 values is far past what
 * sharing blocks between deployments needs (1,000 deployments sharing a 50-variable `env` add
 * about 100,000), and bounds the work of a bomb (nested aliases that double at each level) to
 * a fraction of a second: everything after parsing walks the expanded value.
 */
export const ALIAS_EXPANSION_MAX = 100_000;

/** An alias that may not be expanded, with its offset in the text. */
export interface AliasProblem {
  offset: number;
  message: string;
}

interface Frame {
  node: unknown;
  /** Children still to visit, in document order. */
  children: unknown[];
  /** Values so far: this node and its visited children, aliases expanded. */
  size: number;
}

/**
 * Check a parsed document's aliases before it is converted: the first alias that takes the
 * expansion past `max` values, that names a node containing itself, or that names no anchor is a
 * problem. Without one, converting the document cannot fail on an alias and is bounded by its
 * text and `max`.
 */
export function aliasProblem(doc: Document, max = ALIAS_EXPANSION_MAX): AliasProblem | undefined {
  // An alias names the last node before it with that anchor (document order), as YAML says.
  const anchors = new Map<string, unknown>();
  // Expanded sizes of the anchored nodes, known once they are complete.
  const sizes = new Map<unknown, number>();
  const open = new Set<unknown>();
  let added = 0;
  // Iterative on purpose: a deeply nested file must not exhaust the stack here.
  const stack: Frame[] = [];
  const enter = (node: unknown): AliasProblem | number | undefined => {
    if (node === null || typeof node !== "object") return 1;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      const offset = node.range?.[0] ?? 0;
      if (target === undefined) {
        return {
          offset,
          message: `alias *${node.source} names no anchor (&${node.source}) before it`,
        };
      }
      if (open.has(target)) {
        return { offset, message: `alias *${node.source} is inside the node it names` };
      }
      const size = sizes.get(target) ?? 1;
      added += size;
      if (added > max) {
        return {
          offset,
          message: `aliases expand this file past ${max.toLocaleString("en-US")} values (*${node.source} is ${size.toLocaleString("en-US")} of them); orch refuses more, as a guard against alias bombs: repeat fewer or smaller blocks through aliases`,
        };
      }
      return size;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, node);
    if (isPair(node)) {
      stack.push({ node, children: [node.value, node.key], size: 0 });
    } else if (isMap(node) || isSeq(node)) {
      open.add(node);
      stack.push({ node, children: [...(node.items as unknown[])].reverse(), size: 1 });
    } else return 1; // a scalar
    return undefined;
  };
  const first = enter(doc.contents as Node | null);
  if (typeof first === "object") return first;
  while (stack.length) {
    const frame = stack.at(-1)!;
    if (frame.children.length) {
      const result = enter(frame.children.pop());
      if (typeof result === "object") return result;
      if (typeof result === "number") frame.size += result;
      continue;
    }
    stack.pop();
    open.delete(frame.node);
    if ((frame.node as { anchor?: string }).anchor) sizes.set(frame.node, frame.size);
    const parent = stack.at(-1);
    if (parent) parent.size += frame.size;
  }
  return undefined;
}
