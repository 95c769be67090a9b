/**
 * How a result or a cached value is kept: a small JSON envelope in the database that holds the
 * value itself when it is small, or names its file under the data dir's results/ folder.
 * Files are named by the hash of their content, so a value kept twice (a task's result and its
 * cache entry, or the same result of many runs) is one file.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OrchError, overCapMessage, RESULT_INLINE_BYTES, RESULT_MAX_BYTES } from "../core/index.ts";

/** The envelope as stored: the value, or its file, or why there is none. */
export type StoredValue =
  | { value: unknown; size: number }
  | { file: string; size: number }
  | { problem: string };

/** A kept value as read back: the value, its size, and its file when it has one. */
export interface ReadValue {
  value: unknown;
  size: number;
  file: string | null;
}

/** The folder of result files under a data dir. */
export const RESULTS_FOLDER = "results";

/**
 * Keep `value` (any JSON) and return the envelope to store. Refused (E_TOO_LARGE) past
 * RESULT_MAX_BYTES, with `what` naming the value in the message.
 */
export function keepValue(dataDir: string, value: unknown, what: string): string {
  const text = JSON.stringify(value ?? null);
  const size = Buffer.byteLength(text);
  if (size > RESULT_MAX_BYTES) throw new OrchError("E_TOO_LARGE", overCapMessage(what, size));
  if (size <= RESULT_INLINE_BYTES) return JSON.stringify({ value: value ?? null, size });
  const file = `${RESULTS_FOLDER}/${createHash("sha256").update(text).digest("hex")}.json`;
  const path = join(dataDir, file);
  mkdirSync(join(dataDir, RESULTS_FOLDER), { recursive: true, mode: 0o700 });
  // Written beside and renamed: a reader never sees half a file, and two writers of one value
  // write the same bytes.
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
  return JSON.stringify({ file, size });
}

/** The envelope for a value that could not be kept, saying why. */
export function valueProblem(problem: string): string {
  return JSON.stringify({ problem });
}

/** An envelope as stored, parsed. */
export function parseStored(text: string): StoredValue {
  return JSON.parse(text) as StoredValue;
}

/**
 * The value an envelope keeps, read from its file when it has one; E_NOT_FOUND, with the
 * envelope's problem or the missing file, when there is no value to give.
 */
export function readValue(dataDir: string, text: string, what: string): ReadValue {
  const stored = parseStored(text);
  if ("problem" in stored) {
    throw new OrchError("E_NOT_FOUND", `${what} was not kept: ${stored.problem}`);
  }
  if ("value" in stored) return { value: stored.value, size: stored.size, file: null };
  let content: string;
  try {
    content = readFileSync(join(dataDir, stored.file), "utf8");
  } catch {
    throw new OrchError(
      "E_NOT_FOUND",
      `${what} was kept in ${stored.file} under the data dir, and that file is gone`,
    );
  }
  return { value: JSON.parse(content), size: stored.size, file: stored.file };
}
