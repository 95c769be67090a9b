/** Where a captured line came from; orch's own lines (the cap marker) are `orch`. */
export type CapturedStream = "stdout" | "stderr" | "orch";

/** One captured line of output. */
export interface CapturedLine {
  at: number;
  stream: CapturedStream;
  line: string;
}

export interface LogCaptureOptions {
  /** Text kept per run, in characters; past it one marker line is logged and the rest dropped. */
  maxChars: number;
  /** A line longer than this is cut into pieces (a child that never prints a newline). */
  maxLineChars?: number;
  now: () => number;
  /** Receives each chunk's complete lines at once: one batch per read, never per line. */
  onLines: (lines: CapturedLine[]) => void;
}

/** The line splitter of one stream. */
export interface StreamCapture {
  push(chunk: Uint8Array): void;
  /** The stream ended: a partial last line is kept as a line of its own. */
  end(): void;
}

/** Turn a run's stdout and stderr bytes into timestamped lines, within one shared size cap. */
export function createLogCapture(options: LogCaptureOptions) {
  const maxLine = options.maxLineChars ?? 1024 * 1024;
  let kept = 0;
  let capped = false;

  const emit = (stream: CapturedStream, lines: string[], at: number) => {
    if (capped || lines.length === 0) return;
    const out: CapturedLine[] = new Array(lines.length);
    let n = 0;
    for (const line of lines) {
      kept += line.length + 1;
      if (kept > options.maxChars) {
        capped = true;
        out[n++] = {
          at,
          stream: "orch",
          line: `orch: this run's output reached the cap of ${Math.round(options.maxChars / 1024 / 1024)} MB; further output is not stored (the run goes on)`,
        };
        break;
      }
      out[n++] = { at, stream, line };
    }
    out.length = n;
    options.onLines(out);
  };

  const stream = (name: "stdout" | "stderr"): StreamCapture => {
    // Invalid UTF-8 becomes U+FFFD (never an exception); `stream: true` keeps a character
    // split across two reads whole.
    const decoder = new TextDecoder("utf-8", { fatal: false });
    let partial = "";
    return {
      push(chunk) {
        const text = decoder.decode(chunk, { stream: true });
        if (capped) return;
        const at = options.now();
        const parts = text.split("\n");
        parts[0] = partial + parts[0];
        partial = parts.pop()!;
        for (let i = 0; i < parts.length; i++) {
          const line = parts[i]!;
          if (line.endsWith("\r")) parts[i] = line.slice(0, -1);
        }
        if (partial.length > maxLine) {
          parts.push(partial);
          partial = "";
        }
        emit(name, parts, at);
      },
      end() {
        const rest = partial + decoder.decode();
        partial = "";
        if (rest) emit(name, [rest], options.now());
      },
    };
  };

  return {
    stdout: stream("stdout"),
    stderr: stream("stderr"),
    /** Whether the cap was reached. */
    get capped() {
      return capped;
    },
  };
}
