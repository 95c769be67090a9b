/**
 * Writing to stdout and stderr, and asking whether they are terminals, without node's stream
 * objects. The first touch of `process.stdout` or `process.stderr` builds node's stream machinery:
 * about 20 ms and 8 MB in a compiled orch, measured, three times what a whole `orch --version`
 * needs otherwise (`npm run bench -- --only startup`). console.log and console.error write the
 * same bytes synchronously (flushed before exit, even into a slow pipe), and isatty answers
 * the terminal question. Commands print through here; the monitor, which needs the streams for
 * Ink anyway, does not.
 */

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

type Isatty = (fd: number) => boolean;
let isatty: Isatty | null | undefined;

/**
 * The runtime's own isatty (what node:tty calls, without loading node:tty's streams, about 18 ms),
 * else libc's through FFI (opening it compiles a trampoline: about 2 ms of every command).
 */
function loadIsatty(): Isatty | null {
  const binding = (process as { binding?: (name: string) => { isTTY?: unknown } }).binding;
  try {
    const native = binding?.("tty_wrap").isTTY;
    if (typeof native === "function") return (fd) => native(fd) === true;
  } catch {
    // Not this runtime's: libc's below.
  }
  const library =
    process.platform === "linux"
      ? "libc.so.6"
      : process.platform === "darwin"
        ? "/usr/lib/libSystem.B.dylib"
        : null;
  if (library === null) return null;
  try {
    const { dlopen } = require("bun:ffi") as typeof import("bun:ffi");
    const lib = dlopen(library, { isatty: { args: ["i32"], returns: "i32" } });
    return (fd) => lib.symbols.isatty(fd) === 1;
  } catch {
    return null;
  }
}

/** Whether the stream is a terminal (stdin too). */
export function isTerminal(stream: OutStream | "stdin"): boolean {
  if (isatty === undefined) isatty = loadIsatty();
  if (isatty === null) return Boolean(process[stream].isTTY);
  return isatty(stream === "stdin" ? 0 : stream === "stdout" ? 1 : 2);
}
