import type { LogLineInput } from "../core/index.ts";

/** A line longer than this is sent as pieces, so one line never outgrows a request. */
const MAX_PIECE_CHARS = 100_000;

/** Lines as one request carries them, with their estimated size in bytes of JSON. */
export interface LogBatch {
  lines: LogLineInput[];
  bytes: number;
}

/**
 * Cut an attempt's lines into batches that each fit a request of `maxBytes` on their own: a line
 * longer than a piece goes as consecutive pieces (so one line never outgrows a request).
 */
export function logBatches(lines: LogLineInput[], maxBytes: number): LogBatch[] {
  const pieces: LogLineInput[] = [];
  for (const l of lines) {
    if (l.line.length <= MAX_PIECE_CHARS) pieces.push(l);
    else
      for (let i = 0; i < l.line.length; i += MAX_PIECE_CHARS)
        pieces.push({ ...l, line: l.line.slice(i, i + MAX_PIECE_CHARS) });
  }
  const batches: LogBatch[] = [];
  let start = 0;
  while (start < pieces.length) {
    let bytes = 0;
    let end = start;
    while (end < pieces.length) {
      const piece = pieces[end]!;
      const fields = piece.fields ? Buffer.byteLength(JSON.stringify(piece.fields)) : 0;
      const cost = Buffer.byteLength(JSON.stringify(piece.line)) + fields + 96;
      if (end > start && bytes + cost > maxBytes) break;
      bytes += cost;
      end++;
    }
    batches.push({ lines: pieces.slice(start, end), bytes });
    start = end;
  }
  return batches;
}
