import {
  type CommandPlaceholder,
  type PlaceholderQuoting,
  RUN_FIELDS,
  type RunField,
} from "./placeholder.ts";
import { arithmeticRanges } from "./shell-arithmetic.ts";
import { scriptArguments } from "./shell-command.ts";
import {
  type Frame,
  type Pending,
  placeholderIn,
  readHeredoc,
  WORD_BREAK,
} from "./shell-frames.ts";
import { breakWord, endCommand, markWord, simpleCommand, wordAt } from "./shell-simple-command.ts";

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const PLACEHOLDER_AT = /\{\{([^{}]*)\}\}/y;
const KEY = /^[\w-]+$/;

/**
 * Every placeholder of a command, in order. A placeholder names a parameter
 * (`{{ parameters.name }}`, or a nested `{{ parameters.db.host }}`); in a shell script (see
 * scriptArguments) its quoting context is read from the script, and the places where no
 * quoting can keep a value from running as code are reported as problems.
 */
export function commandPlaceholders(argv: readonly string[]): CommandPlaceholder[] {
  const scripts = scriptArguments(argv);
  const found: CommandPlaceholder[] = [];
  argv.forEach((arg, index) => {
    const script = scripts.find((s) => s.index === index);
    if (script?.shell) {
      found.push(...scanShell(arg, index));
      return;
    }
    for (const match of arg.matchAll(PLACEHOLDER)) {
      const placeholder = named(index, match.index, match[0].length, match[1]!, "argv");
      if (script && !placeholder.problem) {
        placeholder.problem = `{{ ${placeholder.path} }} is inside ${script.what}, where its value would run as code; ${script.advice}`;
      }
      found.push(placeholder);
    }
  });
  return found;
}

/** A placeholder of argument `arg` at `start` (its `{{ inner }}` is `length` long), read. */
export function named(
  arg: number,
  start: number,
  length: number,
  inner: string,
  quoting: PlaceholderQuoting,
): CommandPlaceholder {
  const path = inner.trim();
  const [root, ...keys] = path.split(".");
  const placeholder: CommandPlaceholder = { arg, start, end: start + length, path, quoting };
  if (root === "parameters" && keys.length > 0 && keys.every((k) => KEY.test(k))) {
    placeholder.keys = keys;
  } else if (root === "run" && keys.length === 1 && Object.hasOwn(RUN_FIELDS, keys[0]!)) {
    placeholder.run = keys[0] as RunField;
  } else {
    placeholder.problem = `{{ ${path} }} cannot be filled: only {{ parameters.NAME }} and {{ run.scheduled_at }} can${/^(secrets|variables)\./.test(path) ? ` (give it to the command through env: { NAME: "{{ ${path} }}" } or a parameter)` : ""}`;
  }
  return placeholder;
}

/**
 * Read a shell script the way sh does, far enough to know the quoting context at each
 * placeholder: quotes, `$'...'`, backslashes, `$( )`, backticks, `$(( ))`, comments and
 * here-documents. Why: a value must arrive as data whatever the context, and the same script
 * text must keep working (`echo "hello, {{ parameters.name }}"` prints the value verbatim).
 */
function scanShell(script: string, arg: number): CommandPlaceholder[] {
  const found: CommandPlaceholder[] = [];
  const arithmetic = arithmeticRanges(script);
  const stack: Frame[] = [{ kind: "code", sub: false, depth: 0, cmd: simpleCommand() }];
  const pending: Pending[] = [];
  const at = (i: number, text: string) => script.startsWith(text, i);
  const placeholderAt = (i: number) => {
    PLACEHOLDER_AT.lastIndex = i;
    return PLACEHOLDER_AT.exec(script);
  };
  let i = 0;
  while (i < script.length) {
    const frame = stack[stack.length - 1]!;
    if (frame.kind === "heredoc" && (i === 0 || script[i - 1] === "\n")) {
      const eol = script.indexOf("\n", i);
      const line = script.slice(i, eol === -1 ? script.length : eol);
      if ((frame.strip ? line.replace(/^\t+/, "") : line) === frame.delimiter) {
        stack.pop();
        i = eol === -1 ? script.length : eol + 1;
        continue;
      }
    }
    const match = placeholderAt(i);
    if (match) {
      const p = placeholderIn(frame, named(arg, i, match[0].length, match[1]!, "unquoted"));
      if (arithmetic.some(([from, to]) => i >= from && i < to)) p.numeric = true;
      inWords(stack, i, p);
      found.push(p);
      i += match[0].length;
      continue;
    }
    const c = script[i]!;
    const escapes =
      c === "\\" &&
      (frame.kind === "code" ||
        frame.kind === "double" ||
        frame.kind === "ansi" ||
        frame.kind === "backtick" ||
        (frame.kind === "heredoc" && !frame.quoted));
    if (escapes) {
      // A backslash starts a word, unless it joins lines.
      if (frame.kind === "code" && script[i + 1] !== "\n") wordAt(frame.cmd, i);
      const next = placeholderAt(i + 1);
      if (next) {
        const p = named(arg, i + 1, next[0].length, next[1]!, "unquoted");
        p.problem ??= `{{ ${p.path} }} follows a backslash, which would escape the quoting of its value; remove the backslash`;
        inWords(stack, i, p);
        found.push(p);
        i += 1 + next[0].length;
      } else i += 2;
      continue;
    }
    switch (frame.kind) {
      case "single":
        if (c === "'") stack.pop();
        i++;
        continue;
      case "ansi":
        if (c === "'") stack.pop();
        i++;
        continue;
      case "comment":
        if (c === "\n")
          stack.pop(); // the newline itself is the code's (here-documents start there)
        else i++;
        continue;
      case "backtick":
        if (c === "`") stack.pop();
        i++;
        continue;
      case "arith":
        if (c === "(") frame.depth++;
        else if (c === ")" && frame.depth > 0) frame.depth--;
        else if (c === ")" && at(i, "))")) {
          stack.pop();
          i += 2;
          continue;
        }
        i++;
        continue;
      case "heredoc":
        if (!frame.quoted) i += openExpansion(script, i, stack);
        else i++;
        continue;
      case "double":
        if (c === '"') {
          stack.pop();
          i++;
        } else i += openExpansion(script, i, stack);
        continue;
      case "code":
        i += stepCode(script, i, frame, stack, pending);
    }
  }
  for (const frame of stack) if (frame.kind === "code") endCommand(frame.cmd, script, i);
  return found;
}

/**
 * Note a placeholder at i in the word each enclosing command is reading: in
 * `python3 -c "$(echo {{ parameters.x }})"` the value ends up in Python code too. A
 * here-document's body is no command's word, so the search stops there.
 */
function inWords(stack: Frame[], i: number, p: CommandPlaceholder): void {
  for (let k = stack.length - 1; k >= 0; k--) {
    const frame = stack[k]!;
    if (frame.kind === "heredoc") return;
    if (frame.kind === "code") markWord(frame.cmd, i, p);
  }
}

/** A `$(`, `$((` or backtick opening at i (inside double quotes or a here-document), or one char. */
function openExpansion(script: string, i: number, stack: Frame[]): number {
  if (script.startsWith("$((", i)) {
    stack.push({ kind: "arith", depth: 0 });
    return 3;
  }
  if (script.startsWith("$(", i)) {
    stack.push({ kind: "code", sub: true, depth: 0, cmd: simpleCommand() });
    return 2;
  }
  if (script[i] === "`") stack.push({ kind: "backtick" });
  return 1;
}

/** One step through unquoted shell code at i; returns how far it went. */
function stepCode(
  script: string,
  i: number,
  frame: Extract<Frame, { kind: "code" }>,
  stack: Frame[],
  pending: Pending[],
): number {
  const c = script[i]!;
  const next = script[i + 1];
  if (/[;&|()\n]/.test(c)) endCommand(frame.cmd, script, i);
  else if (/[\s<>]/.test(c)) breakWord(frame.cmd, script, i);
  else if (c !== "#" || frame.cmd.start !== -1) wordAt(frame.cmd, i);
  if (c === "'") stack.push({ kind: "single" });
  else if (c === '"') stack.push({ kind: "double" });
  else if (c === "$" && next === "'") {
    stack.push({ kind: "ansi" });
    return 2;
  } else if (c === "$" && next === '"') {
    stack.push({ kind: "double" });
    return 2;
  } else if (c === "$" || c === "`") return openExpansion(script, i, stack);
  else if (c === "(" && next === "(") {
    stack.push({ kind: "arith", depth: 0 });
    return 2;
  } else if (c === "(") frame.depth++;
  else if (c === ")" && frame.depth > 0) frame.depth--;
  else if (c === ")" && frame.sub) stack.pop();
  else if (c === "#" && (i === 0 || WORD_BREAK.test(script[i - 1]!)))
    stack.push({ kind: "comment" });
  else if (c === "<" && next === "<" && script[i + 2] !== "<")
    return readHeredoc(script, i, pending);
  else if (c === "<" && next === "<")
    return 3; // a here-string, <<<
  else if (c === "\n" && pending.length) {
    // The bodies of the here-documents opened on this line follow it, in order.
    stack.push(...pending.splice(0).reverse());
  }
  return 1;
}
