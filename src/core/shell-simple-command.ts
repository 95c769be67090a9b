import type { CommandPlaceholder } from "./placeholder.ts";
import { scriptArguments } from "./shell-command.ts";

/**
 * The words of the simple command a shell script is in the middle of, while it is scanned, and
 * the placeholders found in them. When the command ends, the same reading as for an argv command
 * (scriptArguments) says which of its words are code, and a placeholder in one is refused:
 * `python3 -c "print('{{ parameters.x }}')"` in a script would have the shell paste the value
 * into Python source.
 */
export interface SimpleCommand {
  words: string[];
  /** Where the word being read started; -1 between words. */
  start: number;
  marks: { p: CommandPlaceholder; word: number }[];
}

/** A command with no words yet. */
export function simpleCommand(): SimpleCommand {
  return { words: [], start: -1, marks: [] };
}

/** The index of the word at offset i, starting one there if none is being read. */
export function wordAt(cmd: SimpleCommand, i: number): number {
  if (cmd.start === -1) cmd.start = i;
  return cmd.words.length;
}

/** Note that placeholder p is in the word being read at offset i. */
export function markWord(cmd: SimpleCommand, i: number, p: CommandPlaceholder): void {
  cmd.marks.push({ p, word: wordAt(cmd, i) });
}

/** The word being read ends before offset i. */
export function breakWord(cmd: SimpleCommand, script: string, i: number): void {
  if (cmd.start === -1) return;
  // Quotes and backslashes removed, roughly as the shell would: enough to see `-c` or `python3`.
  cmd.words.push(
    script
      .slice(cmd.start, i)
      .replace(/\\(.)/gs, "$1")
      .replace(/\$?['"]/g, ""),
  );
  cmd.start = -1;
}

/** The command ends before offset i: refuse its placeholders that sit in a word that is code. */
export function endCommand(cmd: SimpleCommand, script: string, i: number): void {
  breakWord(cmd, script, i);
  if (cmd.marks.length) {
    const code = scriptArguments(cmd.words);
    for (const { p, word } of cmd.marks) {
      const arg = code.find((c) => c.index === word);
      if (arg && !p.problem) {
        p.problem = `{{ ${p.path} }} is inside ${arg.what}, which the shell builds from the value, so the value would run as code; ${arg.advice}`;
      }
    }
  }
  cmd.words = [];
  cmd.start = -1;
  cmd.marks = [];
}
