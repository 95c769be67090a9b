/**
 * Sync looks at small files and at what a path is, without node:fs. Why: loading node:fs costs
 * about 3 ms of CPU at each start of the executable, a tenth of `orch runs ls`, whose start reads
 * nothing but the project's server.json and token (`npm run bench -- --only startup`). Bun.mmap
 * maps a file without it, and its errors say what the path is. Only for small files orch writes
 * whole and replaces by rename (a file cut short while mapped would fault on a read).
 */

const decoder = new TextDecoder();

/**
 * Codes Bun.mmap gives for a file that is there but that it cannot map (it opens files for
 * writing too): one this user may only read, one on a read-only mount. node:fs reads those.
 */
const READ_ONLY = new Set(["EACCES", "EROFS", "EPERM"]);

/** The error code Bun.mmap gives for `path` (null when it maps: a file with content). */
function mapError(path: string): string | null {
  try {
    Bun.mmap(path);
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? "EIO";
  }
}

/**
 * Bun.mmap is not there on Windows, nor under Node (the SDK's package, when a flow is called
 * from a Node program, finds the project and its server through these): node:fs, loaded then.
 */
const MMAP = typeof Bun !== "undefined" && process.platform !== "win32";

function nodeFs(): typeof import("node:fs") {
  return process.getBuiltinModule("node:fs");
}

/** What is at `path`: a file, a folder, or nothing orch can see (null). */
export function pathKind(path: string): "file" | "folder" | null {
  if (!MMAP) {
    try {
      return nodeFs().statSync(path).isDirectory() ? "folder" : "file";
    } catch {
      return null;
    }
  }
  const code = mapError(path);
  // EINVAL: an empty file (nothing to map).
  if (code === null || code === "EINVAL") return "file";
  if (code === "EISDIR") return "folder";
  if (code !== null && READ_ONLY.has(code)) {
    try {
      return nodeFs().statSync(path).isDirectory() ? "folder" : "file";
    } catch {
      return null;
    }
  }
  return null;
}

/** A small file's text, or null when it is not there or cannot be read. */
export function readSmallFile(path: string): string | null {
  if (!MMAP) {
    try {
      return nodeFs().readFileSync(path, "utf8");
    } catch {
      return null;
    }
  }
  try {
    return decoder.decode(Bun.mmap(path));
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    if (code === "EINVAL") return "";
    if (!READ_ONLY.has(code)) return null;
    try {
      return nodeFs().readFileSync(path, "utf8");
    } catch {
      return null;
    }
  }
}

/**
 * Whether process `pid`, which exists (kill 0 answered), has ended and waits to be reaped (a
 * zombie): its /proc entry's cwd link is gone. False where /proc cannot tell.
 */
export function isZombie(pid: number): boolean {
  if (process.platform !== "linux") return false;
  const cwd = `/proc/${pid}/cwd`;
  if (MMAP) return mapError(cwd) === "ENOENT";
  try {
    nodeFs().readlinkSync(cwd);
    return false;
  } catch (error) {
    return (error as { code?: string }).code === "ENOENT";
  }
}
