import { readFileSync } from "node:fs";
import { OrchError } from "../core/index.ts";
import { isTerminal, write } from "../core/stdio.ts";

/** One trailing newline (what `echo` and editors add) is not part of a value. */
function chomp(text: string): string {
  return text.replace(/\r?\n$/, "");
}

/**
 * A secret's value, never from the command line (which `ps` and shell history show): from
 * `--from-file`, from stdin when it is not a terminal, or typed at a prompt that does not echo.
 */
export async function readSecretValue(name: string, fromFile?: string): Promise<string> {
  if (fromFile !== undefined) {
    try {
      return chomp(readFileSync(fromFile, "utf8"));
    } catch (error) {
      throw new OrchError(
        "E_BAD_INPUT",
        `--from-file ${fromFile}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`,
      );
    }
  }
  if (!isTerminal("stdin")) return chomp(await new Response(Bun.stdin.stream()).text());
  return prompt(`value of ${name} (not shown): `);
}

/** Read one line from the terminal with echo off; Ctrl-C or Ctrl-D gives up. */
function prompt(question: string): Promise<string> {
  const stdin = process.stdin;
  // Echo goes off before the question shows: a value typed the moment it appears is not shown.
  stdin.setRawMode(true);
  stdin.resume();
  write("stderr", question);
  return new Promise((resolve, reject) => {
    let value = "";
    const done = (error?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      write("stderr", "\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003" || ch === "\u0004")
          return done(new OrchError("E_BAD_INPUT", "no value given; nothing was changed"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}
