import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readlinkSync,
  readSync,
  realpathSync,
  type Stats,
  statSync,
} from "node:fs";
import { isAbsolute, relative, sep } from "node:path";
import { OrchError } from "../core/index.ts";
import { type ParsedFile, parseDefinitions } from "./parse-definitions.ts";

/**
 * The largest definition file orch reads: 256 KiB, some 5,000 lines, far past a real one (a few
 * kilobytes). Parsing a file is one synchronous pass (on the reader's thread in the server, on
 * the command's own in `orch deploy`), so this bounds how long one file takes: about a second
 * of CPU on a busy 2-core machine for a file of 1,600 deployments at the cap.
 */
export const DEFINITION_MAX_BYTES = 256 * 1024;

/** What reading a definition file gave. */
export type DefinitionSource =
  /** Its text. */
  | { text: string }
  /** It is not there (any more). */
  | { gone: true }
  /** It is not a file orch reads (special file, or a link out of the project): a warning. */
  | { skipped: string }
  /** It is one, but cannot be read (too large, no permission): a problem of the file. */
  | { problem: string };

/** What kind of file `st` describes, for messages. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a named pipe (FIFO)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

const errno = (error: unknown): string | undefined => (error as { code?: string })?.code;

/**
 * Read a regular file of at most `maxBytes`, safely against special files: it is opened
 * non-blocking (a FIFO swapped in after a check cannot hold up the process) and the open
 * descriptor is checked to be a regular file before a byte is read. Returns `null` when the path
 * is not a regular file (any more); throws E_TOO_LARGE past `maxBytes`.
 */
export function readRegularFile(path: string, maxBytes: number): Buffer | null {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return null;
    const tooLarge = (size: number) =>
      new OrchError(
        "E_TOO_LARGE",
        `${path} is ${size.toLocaleString("en-US")} bytes, over the cap of ${maxBytes.toLocaleString("en-US")}`,
      );
    if (st.size > maxBytes) throw tooLarge(st.size);
    // One byte more than the cap tells a file that grew since fstat from one that fits.
    const buffer = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes) throw tooLarge(length);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * Read a definition file of the project at `root`. The one rule for start and watch alike:
 * orch reads a regular file whose real path (links resolved) is inside the project, of at most
 * DEFINITION_MAX_BYTES. A link out of the project, a FIFO, a device, a socket or a directory
 * named `*.yaml` is skipped with a reason; nothing here blocks on a special file.
 */
export function readDefinitionFile(abs: string, root: string): DefinitionSource {
  try {
    const link = lstatSync(abs);
    let real: string;
    try {
      real = realpathSync(abs);
    } catch (error) {
      if (errno(error) === "ENOENT" && link.isSymbolicLink())
        return { skipped: `is a symbolic link to ${readlinkSync(abs)}, which does not exist` };
      throw error;
    }
    const inside = relative(realpathSync(root), real);
    if (inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      return {
        skipped: `${link.isSymbolicLink() ? "is a symbolic link" : "leads"} to ${real}, outside the project; orch reads definition files only from inside the project (copy the file in)`,
      };
    }
    const st = link.isSymbolicLink() ? statSync(abs) : link;
    if (!st.isFile()) {
      return { skipped: `is ${kindOf(st)}; orch reads definition files only from regular files` };
    }
    const tooLarge = (size?: number) => ({
      problem: `is ${size === undefined ? "" : `${size.toLocaleString("en-US")} bytes, `}over the cap of ${DEFINITION_MAX_BYTES / 1024} KiB for a definition file; split it into smaller files`,
    });
    if (st.size > DEFINITION_MAX_BYTES) return tooLarge(st.size);
    let data: Buffer | null;
    try {
      data = readRegularFile(abs, DEFINITION_MAX_BYTES);
    } catch (error) {
      // It grew past the cap since it was checked.
      if (error instanceof OrchError && error.code === "E_TOO_LARGE") return tooLarge();
      throw error;
    }
    if (!data) return { skipped: "is not a regular file any more" };
    return { text: data.toString("utf8") };
  } catch (error) {
    const code = errno(error);
    if (code === "ENOENT" || code === "ENOTDIR") return { gone: true };
    return { problem: `cannot be read: ${(error as Error).message}` };
  }
}

/**
 * A definition file read and parsed: `null` when it is gone, `skipped` with the reason when it is
 * not read (see readDefinitionFile). Whatever is wrong with a file that is read is a problem of
 * that file, never an error of the process.
 */
export function loadDefinitionFile(
  abs: string,
  root: string,
): ParsedFile | { skipped: string } | null {
  const source = readDefinitionFile(abs, root);
  if ("gone" in source) return null;
  if ("skipped" in source) return source;
  const file = relative(root, abs).split(sep).join("/");
  const broken = (message: string): ParsedFile => ({
    file,
    deployments: [],
    pools: [],
    webhooks: [],
    declared: [],
    problems: [{ where: file, message }],
  });
  if ("problem" in source) return broken(source.problem);
  try {
    return parseDefinitions(source.text, { root, path: abs });
  } catch (error) {
    // The parser failing on some input is still this file's problem.
    return broken(`could not be parsed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
