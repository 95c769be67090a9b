import type { StreamCapture } from "../log-capture.ts";

/**
 * Split a container's log stream into its stdout and stderr. Without a TTY, the Engine frames
 * the output: 8 bytes (stream: 1 stdout, 2 stderr; 3 zero bytes; the payload's length, big
 * endian), then the payload. A frame may span reads, and a read may hold many frames.
 */
export async function demuxLogs(
  stream: ReadableStream<Uint8Array>,
  sinks: { stdout: StreamCapture; stderr: StreamCapture },
): Promise<void> {
  let pending = new Uint8Array(0);
  try {
    for await (const chunk of stream) {
      let buffer = pending.length ? concat(pending, chunk) : chunk;
      let at = 0;
      while (buffer.length - at >= 8) {
        const size =
          ((buffer[at + 4]! << 24) >>> 0) +
          (buffer[at + 5]! << 16) +
          (buffer[at + 6]! << 8) +
          buffer[at + 7]!;
        if (buffer.length - at - 8 < size) break;
        const payload = buffer.subarray(at + 8, at + 8 + size);
        (buffer[at] === 2 ? sinks.stderr : sinks.stdout).push(payload);
        at += 8 + size;
      }
      buffer = buffer.subarray(at);
      // Kept as a copy: the reader may reuse its chunk.
      pending = buffer.length ? buffer.slice() : new Uint8Array(0);
    }
  } catch {
    // The stream broke (the daemon went away): what was read is kept, as when a pipe closes.
  } finally {
    sinks.stdout.end();
    sinks.stderr.end();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
