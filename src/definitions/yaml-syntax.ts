/**
 * A definition file's YAML syntax errors in orch's words, each where the mistake is written: an
 * unclosed `[`, `{` or quote at its opening character (the parser notices it lines later, often
 * past the file's end), a line indented wrongly at its first character, with what to write.
 */
import { type Document, Parser, visit, type YAMLError } from "yaml";

/** A syntax problem with the offset where it is written. */
export interface SyntaxProblem {
  offset: number;
  message: string;
}

/** A `[`, `{` or quote never closed, as the parser read it. */
interface Opener extends SyntaxProblem {
  /** Closed further on, but on a line the parser no longer reads as part of it (too little indented). */
  closedBelow?: boolean;
}

/** What the parser found at `offset` (to `end`) of `text`, for a message. */
interface Found {
  text: string;
  offset: number;
  end: number;
  /** The library's own message (kept when orch has no words of its own for it). */
  message: string;
  doc: Document;
}

/** orch's words (and the place to point at) for each of the parser's error codes it knows. */
const BY_CODE: Partial<Record<YAMLError["code"], (f: Found) => SyntaxProblem | undefined>> = {
  TAB_AS_INDENT: (f) => ({
    offset: f.offset,
    message: "a tab indents this line: YAML indents with spaces only",
  }),
  BAD_INDENT: (f) => {
    const offset = lineStart(f.text, f.offset);
    if (/^Flow (sequence|map)/.test(f.message))
      return {
        offset,
        message: `this line continues the ${f.message.startsWith("Flow map") ? "{ }" : "[ ]"} above: indent it further than the key the value belongs to, or keep the value on one line`,
      };
    if (/^All mapping items/.test(f.message))
      return {
        offset,
        message:
          "this key is not lined up with the keys above it: indent it with as many spaces as the other keys of its map",
      };
    if (/^All sequence items/.test(f.message))
      return {
        offset,
        message:
          "this list item is not lined up with the items above it: indent its - as far as theirs",
      };
    return undefined;
  },
  MISSING_CHAR: (f) => {
    if (/^Sequence item without/.test(f.message))
      return {
        offset: lineStart(f.text, f.offset),
        message:
          "this line's indentation matches no key above it: indent it with as many spaces as the other keys of its map",
      };
    if (/^Implicit map keys need to be followed/.test(f.message)) {
      const key = firstLine(f.text.slice(f.offset, f.end));
      return {
        offset: f.offset,
        message: `${JSON.stringify(key)} has no ":" after it: write ${key}: VALUE`,
      };
    }
    return undefined;
  },
  MULTILINE_IMPLICIT_KEY: (f) => ({
    offset: f.offset,
    message: `${JSON.stringify(firstLine(f.text.slice(f.offset)))} is read as a key that goes on over lines: write each key as "key: value" on its own line, with a space after the colon`,
  }),
  BLOCK_AS_IMPLICIT_KEY: (f) => {
    if (/^A block sequence/.test(f.message))
      return {
        offset: lineStart(f.text, f.offset),
        message:
          "this list item lines up with no list above it: indent its - as far as the other items of its list, or start the list under a key with nothing after its colon (key:, then the items below it)",
      };
    // The ": " that makes this value a key: on its own line, or on a line indented under it.
    const colon = /:(\s|$)/m.exec(f.text.slice(f.offset));
    const below = colon !== null && f.text.slice(f.offset, f.offset + colon.index).includes("\n");
    return {
      offset: f.offset,
      message: below
        ? "the line after this value is indented further than its key, so YAML reads it as part of the value: line its key up with the other keys of its map"
        : `this value holds ": ", which YAML reads as a key inside it: quote the value: ${JSON.stringify(firstLine(f.text.slice(f.offset)))}`,
    };
  },
  DUPLICATE_KEY: (f) => {
    const first = firstOfKey(f.doc, f.offset);
    return {
      offset: f.offset,
      message: `${JSON.stringify(first?.key ?? firstLine(f.text.slice(f.offset)))} is set twice in this map${first ? ` (first at line ${lineOf(f.text, first.offset)})` : ""}: keep one`,
    };
  },
  UNEXPECTED_TOKEN: (f) => {
    const closer = /token in YAML stream: "([\]}])"/.exec(f.message)?.[1];
    if (!closer) return undefined;
    return {
      offset: f.offset,
      message: `this ${closer} closes nothing: remove it, or open the ${closer === "]" ? "list with [" : "map with {"}`,
    };
  },
  BAD_SCALAR_START: (f) => ({
    offset: f.offset,
    message: `a value cannot start with ${f.text[f.offset]} unless it is quoted: write ${JSON.stringify(firstLine(f.text.slice(f.offset)))}`,
  }),
  BAD_DQ_ESCAPE: (f) => ({
    offset: f.offset,
    message: `${f.text.slice(f.offset, f.end + 1)} is not an escape in "double quotes": write \\\\ for a backslash, or use 'single quotes'`,
  }),
  MULTIPLE_DOCS: (f) => ({
    offset: f.offset,
    message:
      "a definition file holds one YAML document: remove this --- (or move what follows into a file of its own)",
  }),
};

/**
 * The problems of a document that did not parse: the first `[`, `{` or quote never closed at its
 * opening, the parser's errors before it in orch's words (the library's text for a code orch
 * has no words for). Why nothing after an unclosed opener: the parser reads what follows as the
 * opener's content, and its errors there are consequences (one missing `]` gave three errors);
 * once it is closed, a check reports whatever remains.
 */
export function syntaxProblems(
  text: string,
  doc: Document,
  errors: readonly YAMLError[],
): SyntaxProblem[] {
  const opener = firstUnclosed(text);
  const problems: SyntaxProblem[] = [];
  const seen = new Set<number>();
  // A list or map closed on a line indented too little: the parser's error at that line says so.
  const indented = opener?.closedBelow
    ? errors.find((e) => e.code === "BAD_INDENT" && e.pos[0] >= opener.offset)
    : undefined;
  for (const error of errors) {
    const [offset, end] = error.pos;
    if (opener && offset >= opener.offset && error !== indented) continue;
    const message = error.message.split("\n")[0]!;
    const found = { text, offset, end, message, doc };
    const problem = BY_CODE[error.code]?.(found) ?? { offset, message };
    // One problem a line: the parser may give two or three for one mistake (a value read as a
    // key both holds a map and runs over lines).
    const line = lineOf(text, problem.offset);
    if (!seen.has(line)) problems.push(problem);
    seen.add(line);
  }
  if (opener && !indented) problems.push(opener);
  return problems;
}

/** A token of the parser's concrete syntax tree, as far as finding an opener needs. */
interface Token {
  type?: string;
  offset?: number;
  source?: string;
  start?: unknown;
  end?: unknown;
  [key: string]: unknown;
}

const CLOSED = {
  "double-quoted-scalar": /^"(?:[^"\\]|\\[\s\S])*"$/,
  "single-quoted-scalar": /^'(?:[^']|'')*'$/,
} as Record<string, RegExp>;

/**
 * The first `[`, `{` or quote of `text` that is never closed (innermost first: a quote left open
 * inside a list swallows the list's `]`, so the quote is the mistake), as a problem at it.
 */
function firstUnclosed(text: string): Opener | undefined {
  for (const token of new Parser().parse(text)) {
    const found = unclosedIn(token, text);
    if (found) return found;
  }
  return undefined;
}

function unclosedIn(node: unknown, text: string): Opener | undefined {
  if (Array.isArray(node)) {
    for (const child of node) {
      const found = unclosedIn(child, text);
      if (found) return found;
    }
    return undefined;
  }
  if (!node || typeof node !== "object") return undefined;
  const token = node as Token;
  const closed = token.type ? CLOSED[token.type] : undefined;
  if (closed && token.source !== undefined && !closed.test(token.source)) {
    const quote = token.source[0]!;
    return {
      offset: token.offset ?? 0,
      message: `this ${quote} is never closed: end the text with ${quote}`,
    };
  }
  for (const [key, child] of Object.entries(token)) {
    if (key === "start" || key === "end" || typeof child !== "object") continue;
    const found = unclosedIn(child, text);
    if (found) return found;
  }
  if (token.type === "flow-collection" && Array.isArray(token.end)) {
    const start = token.start as Token;
    const list = start.source === "[";
    const closer = list ? "flow-seq-end" : "flow-map-end";
    if (!token.end.some((t: Token) => t.type === closer)) {
      return {
        offset: start.offset ?? 0,
        closedBelow: closesInText(text, start.offset ?? 0),
        message: list
          ? "this [ is never closed: end the list with ]"
          : "this { is never closed: end the map with }",
      };
    }
  }
  return undefined;
}

/** The key of the map pair whose key starts at `offset`, and where the same key first is. */
function firstOfKey(doc: Document, offset: number): { key: string; offset: number } | undefined {
  let found: { key: string; offset: number } | undefined;
  visit(doc, {
    Map(_, map) {
      const keyAt = (i: number) => map.items[i]?.key as { value?: unknown; range?: number[] };
      const index = map.items.findIndex((_, i) => keyAt(i)?.range?.[0] === offset);
      if (index < 0) return;
      const key = keyAt(index).value;
      const first = map.items.findIndex((_, i) => keyAt(i)?.value === key);
      found = { key: String(key), offset: keyAt(first)?.range?.[0] ?? offset };
      return visit.BREAK;
    },
  });
  return found;
}

/** Whether the `[` or `{` at `offset` is closed further on in the text (quotes and comments skipped). */
function closesInText(text: string, offset: number): boolean {
  let depth = 0;
  for (let i = offset; i < text.length; i++) {
    const char = text[i]!;
    if (char === "[" || char === "{") depth++;
    else if (char === "]" || char === "}") depth--;
    else if (char === '"' || char === "'") {
      const close = text.indexOf(char, i + 1);
      if (close < 0) return false;
      i = close;
    } else if (char === "#" && /\s/.test(text[i - 1] ?? "")) {
      const eol = text.indexOf("\n", i);
      if (eol < 0) return false;
      i = eol;
    }
    if (depth === 0) return true;
  }
  return false;
}

/** The offset of the first character that is not a space on the line of `offset`. */
function lineStart(text: string, offset: number): number {
  const begin = text.lastIndexOf("\n", offset - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(begin))![0].length;
  return begin + indent >= text.length ? offset : begin + indent;
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
