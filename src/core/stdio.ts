/**
 * Writing to stdout and stderr, and asking whether they are terminals, without node's stream
 * objects. The first touch of `process.stdout` or `process.stderr` builds node's stream machinery:
 * about 20 ms and 8 MB in a compiled orch, measured, three times what a whole `orch --version`
 * needs otherwise (`npm run bench -- --only startup`). console.log and console.error write the
 * same bytes synchronously (flushed before exit, even into a slow pipe), and isatty(3) answers
 * the terminal question. Commands print through here; the monitor, which needs the streams for
 * Ink anyway, does not.
 */
import { dlopen } from "bun:ffi";

/** One of the two output streams. */
export type OutStream = "stdout" | "stderr";

/** Write text to stdout or stderr, synchronously. */
export function write(stream: OutStream, text: string): void {
  if (text.length === 0) return;
  if (text.endsWith("\n")) {
    // With one string argument console.log prints it as is (no format directives).
    // biome-ignore lint/suspicious/noConsole: the one place orch's commands print, see above
    (stream === "stdout" ? console.log : console.error)(text.slice(0, -1));
  } else {
    // Text without a final newline (a prompt): only the stream can write it.
    process[stream].write(text);
  }
}

type Isatty = (fd: number) => number;
let isatty: Isatty | null | undefined;

function loadIsatty(): Isatty | null {
  const library =
    process.platform === "linux"
      ? "libc.so.6"
      : process.platform === "darwin"
        ? "/usr/lib/libSystem.B.dylib"
        : null;
  if (library === null) return null;
  try {
    // Opened on first use; libc is already in the process, so this costs little.
    const lib = dlopen(library, { isatty: { args: ["i32"], returns: "i32" } });
    return lib.symbols.isatty as Isatty;
  } catch {
    return null;
  }
}

/** Whether the stream is a terminal (stdin too). */
export function isTerminal(stream: OutStream | "stdin"): boolean {
  if (isatty === undefined) isatty = loadIsatty();
  if (isatty === null) return Boolean(process[stream].isTTY);
  return isatty(stream === "stdin" ? 0 : stream === "stdout" ? 1 : 2) === 1;
}
