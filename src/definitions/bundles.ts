import {
  chmodSync,
  copyFileSync,
  type Dirent,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { OrchError } from "../core/index.ts";
import { readRegularFile } from "./read-files.ts";
import { isScratchFile } from "./scratch-files.ts";

/** One file of a bundle. */
export interface BundleFile {
  path: string;
  hash: string;
  size: number;
  mode: number;
}

/** A bundle: the code files of a definition's folder, content-addressed. */
export interface Bundle {
  hash: string;
  files: BundleFile[];
  size: number;
}

export const BUNDLE_MAX_BYTES = 50 * 1024 * 1024;
export const BUNDLE_MAX_FILES = 5000;

/** Never part of a bundle: dependencies, VCS and orch's data, and the definition files. */
const ALWAYS_IGNORED_DIRS = new Set(["node_modules", ".git", ".orch"]);
const DEFINITION_FILE = /\.ya?ml$/;

/** Hashes of files already read, by path, kept while size and mtime are unchanged. */
export type FileHashCache = Map<string, { mtimeMs: number; size: number; hash: string }>;

function sha256(data: Uint8Array | string): string {
  return new Bun.CryptoHasher("sha256").update(data).digest("hex");
}

/** Compile .orchignore lines into a matcher of bundle-relative paths. */
export function compileIgnore(lines: string[]): (path: string, isDir: boolean) => boolean {
  const globs: { glob: InstanceType<typeof Bun.Glob>; dirOnly: boolean }[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const dirOnly = line.endsWith("/");
    const pattern = line.replace(/^\//, "").replace(/\/$/, "");
    const anchored = raw.trim().startsWith("/") || pattern.includes("/");
    const full = anchored ? pattern : `**/${pattern}`;
    globs.push({ glob: new Bun.Glob(full), dirOnly });
  }
  return (path, isDir) => globs.some((g) => (!g.dirOnly || isDir) && g.glob.match(path));
}

function readIgnore(folder: string): string[] {
  try {
    return (
      readRegularFile(join(folder, ".orchignore"), 1024 * 1024)
        ?.toString("utf8")
        .split("\n") ?? []
    );
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return [];
    throw unreadable(join(folder, ".orchignore"), error);
  }
}

/**
 * A file or folder of a bundle that cannot be read (no permission, a link loop) as a problem of
 * the definition, not of the process; other errors (out of descriptors) are thrown as they are.
 */
function unreadable(path: string, error: unknown): unknown {
  const code = (error as { code?: string }).code;
  if (!code || !["EACCES", "EPERM", "ELOOP", "EISDIR", "ENOTDIR", "EIO"].includes(code))
    return error;
  return new OrchError(
    "E_INVALID_DEFINITION",
    `${path} cannot be read (${code}); make it readable, or list it in .orchignore`,
  );
}

/**
 * Read the bundle of a folder: its files recursively, less node_modules, .git, .orch, the
 * definition files (*.yaml, *.yml), editors' scratch files (isScratchFile) and what
 * `.orchignore` lists. Unchanged files are not read
 * again (`cache`). Throws E_TOO_LARGE past the size or file-count cap.
 */
export function scanBundle(
  folder: string,
  cache: FileHashCache = new Map(),
  where = folder,
): Bundle {
  const ignored = compileIgnore(readIgnore(folder));
  const tooLarge = () =>
    new OrchError(
      "E_TOO_LARGE",
      `${where}: the bundle of this folder is over the cap of ${BUNDLE_MAX_FILES} files or ${BUNDLE_MAX_BYTES / 1024 / 1024} MB; list what flows do not need in ${join(where, ".orchignore")}`,
    );
  const files: BundleFile[] = [];
  let size = 0;
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return; // removed while being read
      throw unreadable(join(where, relative(folder, dir)), error);
    }
    for (const entry of entries) {
      const abs = join(dir, entry.name);
      const rel = relative(folder, abs).split(sep).join("/");
      if (entry.isDirectory()) {
        if (ALWAYS_IGNORED_DIRS.has(entry.name) || ignored(rel, true)) continue;
        walk(abs);
        continue;
      }
      if (
        !entry.isFile() ||
        DEFINITION_FILE.test(entry.name) ||
        isScratchFile(entry.name) ||
        ignored(rel, false)
      )
        continue;
      if (entry.name === ".orchignore") continue;
      let st: ReturnType<typeof statSync>;
      let cached = cache.get(abs);
      try {
        st = statSync(abs);
        if (!cached || cached.mtimeMs !== st.mtimeMs || cached.size !== st.size) {
          const data = readRegularFile(abs, BUNDLE_MAX_BYTES);
          if (!data) continue; // swapped for a special file since it was listed
          cached = { mtimeMs: st.mtimeMs, size: st.size, hash: sha256(data) };
          cache.set(abs, cached);
        }
      } catch (error) {
        if (error instanceof OrchError) throw tooLarge();
        // Removed while being read (an editor's temporary file): not part of the bundle.
        if ((error as { code?: string }).code === "ENOENT") continue;
        throw unreadable(join(where, rel), error);
      }
      files.push({ path: rel, hash: cached.hash, size: st.size, mode: st.mode & 0o777 });
      size += st.size;
      if (files.length > BUNDLE_MAX_FILES || size > BUNDLE_MAX_BYTES) throw tooLarge();
    }
  };
  walk(folder);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { hash: bundleHash(files), files, size };
}

/** The hash of a bundle's file list. */
export function bundleHash(files: BundleFile[]): string {
  return sha256(JSON.stringify(files.map((f) => [f.path, f.hash, f.mode])));
}

/** Where an object (one file's content) lives in a bundles dir. */
export function objectPath(bundlesDir: string, hash: string): string {
  return join(bundlesDir, "objects", hash.slice(0, 2), hash);
}

/** Copy a bundle's files into the content-addressed object store (each content once). */
export function storeBundleObjects(bundlesDir: string, folder: string, bundle: Bundle): void {
  for (const file of bundle.files) {
    const target = objectPath(bundlesDir, file.hash);
    if (existsSync(target)) continue;
    mkdirSync(dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.tmp`;
    const data = readRegularFile(join(folder, file.path), BUNDLE_MAX_BYTES);
    // A file whose content changed since it was hashed must not be stored under the old hash.
    if (!data || sha256(data) !== file.hash) {
      throw new OrchError(
        "E_CONFLICT",
        `${file.path} changed while it was being bundled; it will be picked up on the next save`,
      );
    }
    rmSync(tmp, { force: true }); // a leftover of a crash, read-only
    writeFileSync(tmp, data, { mode: 0o444 });
    renameSync(tmp, target);
  }
}

/**
 * The directory of a bundle's files, made once from the object store and shared by every run of that version. `fetchObject` supplies an object
 * that is missing (a remote worker downloads it).
 */
export async function materializeBundle(
  bundlesDir: string,
  bundle: Pick<Bundle, "hash" | "files">,
  fetchObject?: (hash: string) => Promise<Uint8Array>,
): Promise<string> {
  const dir = join(bundlesDir, "trees", bundle.hash);
  if (existsSync(dir)) return dir;
  const tmp = `${dir}.${process.pid}.${Date.now()}.tmp`;
  mkdirSync(tmp, { recursive: true });
  try {
    for (const file of bundle.files) {
      const object = objectPath(bundlesDir, file.hash);
      if (!existsSync(object)) {
        if (!fetchObject)
          throw new OrchError(
            "E_NOT_FOUND",
            `bundle ${bundle.hash}: object ${file.hash} (${file.path}) is missing`,
          );
        const data = await fetchObject(file.hash);
        if (sha256(data) !== file.hash) {
          throw new OrchError(
            "E_CONFLICT",
            `bundle ${bundle.hash}: ${file.path} arrived with the wrong content`,
          );
        }
        mkdirSync(dirname(object), { recursive: true });
        await Bun.write(`${object}.tmp`, data);
        renameSync(`${object}.tmp`, object);
      }
      const target = join(tmp, file.path);
      mkdirSync(dirname(target), { recursive: true });
      // A copy, not a hard link: files of the same content may differ in mode.
      copyFileSync(object, target);
      // Read-only: runs work in copies of these files and must not change them.
      chmodSync(target, (file.mode | 0o444) & ~0o222);
    }
    try {
      renameSync(tmp, dir);
    } catch (error) {
      if (!existsSync(dir)) throw error;
      rmSync(tmp, { recursive: true, force: true });
    }
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  return dir;
}
