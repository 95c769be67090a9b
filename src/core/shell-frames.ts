import type { CommandPlaceholder } from "./placeholder.ts";
import type { SimpleCommand } from "./shell-simple-command.ts";

/** What the shell scanner is inside of at a point of a script. */
export type Frame =
  | { kind: "code"; sub: boolean; depth: number; cmd: SimpleCommand }
  | { kind: "double" | "single" | "ansi" | "backtick" | "comment" }
  | { kind: "arith"; depth: number }
  | { kind: "heredoc"; delimiter: string; strip: boolean; quoted: boolean };

export type Pending = Extract<Frame, { kind: "heredoc" }>;

/** Characters that end a shell word. */
export const WORD_BREAK = /[\s;&|()<>]/;

/** A here-document operator at i (`<<EOF`, `<<-'EOF'`): note it; its body starts after the line. */
export function readHeredoc(script: string, i: number, pending: Pending[]): number {
  let j = i + 2;
  const strip = script[j] === "-";
  if (strip) j++;
  while (script[j] === " " || script[j] === "\t") j++;
  let delimiter = "";
  let quoted = false;
  while (j < script.length && !WORD_BREAK.test(script[j]!)) {
    const c = script[j]!;
    if (c === "'" || c === '"') {
      quoted = true;
      const close = script.indexOf(c, j + 1);
      const end = close === -1 ? script.length : close;
      delimiter += script.slice(j + 1, end);
      j = end + 1;
    } else if (c === "\\") {
      quoted = true;
      delimiter += script[j + 1] ?? "";
      j += 2;
    } else {
      delimiter += c;
      j++;
    }
  }
  if (delimiter) pending.push({ kind: "heredoc", delimiter, strip, quoted });
  return j - i;
}

/** Set how a placeholder found in a frame goes in, or why it cannot. */
export function placeholderIn(frame: Frame, p: CommandPlaceholder): CommandPlaceholder {
  if (p.problem) return p;
  const where = `{{ ${p.path} }}`;
  switch (frame.kind) {
    case "code":
    case "comment":
      p.quoting = "unquoted";
      break;
    case "double":
    case "single":
    case "ansi":
      p.quoting = frame.kind;
      break;
    case "heredoc":
      if (frame.quoted) {
        p.problem = `${where} is in a quoted here-document (<<'${frame.delimiter}'), where nothing is expanded; use an unquoted one (<<${frame.delimiter})`;
      } else p.quoting = "heredoc";
      break;
    case "backtick":
      p.problem = `${where} is inside backticks, whose quoting cannot be kept; use $( ) instead`;
      break;
    case "arith":
      p.quoting = "double"; // a bare ${NAME}: quotes are not arithmetic in every shell
      p.numeric = true;
  }
  return p;
}
