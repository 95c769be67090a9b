import {
  chmodSync,
  type Dirent,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { type BundleManifestJson, CONTENT_HASH, OrchError } from "../core/index.ts";
import { bundleHash } from "../definitions/index.ts";

/** Where a remote worker gets bundles: the API's manifest and object downloads. */
export interface BundleSource {
  getBundle(hash: string): Promise<BundleManifestJson>;
  getObject(hash: string, object: string): Promise<Uint8Array>;
}

/**
 * A remote worker's bundle cache: a version's files are downloaded once into
 * `bundlesDir/trees/HASH` (the layout of the server's trees), and shared by every run of that
 * version. Why one copy, not the server's objects beside the trees: a worker never builds a new
 * bundle from old objects, so a second copy of every file would only fill its disk. Before its
 * first use in this process, a bundle's files on disk, downloaded now or found from before, are
 * read back and checked against the manifest's digests (a file changed or cut short on disk is
 * downloaded again); the manifest itself must hash to the bundle's hash. Returns the folder.
 */
export function createBundleCache(
  bundlesDir: string,
  source: BundleSource,
): (hash: string) => Promise<string> {
  removeOldObjects(bundlesDir);
  const trees = new Map<string, Promise<string>>();
  const load = async (hash: string) => {
    const manifest = await source.getBundle(hash);
    checkManifest(hash, manifest);
    const dir = join(bundlesDir, "trees", hash);
    if (existsSync(dir)) {
      if (treeProblem(dir, manifest) === null) return dir;
      rmSync(dir, { recursive: true, force: true });
    }
    const tmp = `${dir}.${process.pid}.${Date.now()}.tmp`;
    try {
      await download(tmp, manifest, source);
      // Read back from disk before it is used: what a run gets is what the manifest says.
      const problem = treeProblem(tmp, manifest);
      if (problem) throw new OrchError("E_CONFLICT", `bundle ${hash}: ${problem} once written`);
      try {
        renameSync(tmp, dir);
      } catch (error) {
        // Another worker sharing this cache wrote it meanwhile: checked like any tree found.
        if (!existsSync(dir) || treeProblem(dir, manifest) !== null) throw error;
        rmSync(tmp, { recursive: true, force: true });
      }
    } catch (error) {
      rmSync(tmp, { recursive: true, force: true });
      throw error;
    }
    return dir;
  };
  return (hash) => {
    if (!CONTENT_HASH.test(hash)) {
      return Promise.reject(new OrchError("E_BAD_INPUT", `${hash} is not a bundle hash`));
    }
    let tree = trees.get(hash);
    if (!tree) {
      tree = load(hash);
      trees.set(hash, tree);
      tree.catch(() => trees.delete(hash));
    }
    return tree;
  };
}

/**
 * A cache of the layout before one copy per bundle kept `objects/` beside `trees/`: a second copy
 * of every file, which nothing reads any more (trees were copies, never links to them). Removed
 * as a worker upgraded from it starts, and only then: once gone it is never made again. Kept when
 * the folder is a server's own (ORCH_HOME shared by `orch up` and a worker on one machine, its
 * store `orch.db` beside it): the server builds its versions from those objects.
 */
function removeOldObjects(bundlesDir: string): void {
  const objects = join(bundlesDir, "objects");
  if (!existsSync(objects) || existsSync(join(dirname(bundlesDir), "orch.db"))) return;
  try {
    rmSync(objects, { recursive: true, force: true });
  } catch {
    // Left as it was (a file not ours to remove): tried again at the next start, harmless meanwhile.
  }
}

/**
 * Refuse a manifest that is not the bundle asked for, or whose paths would write outside its
 * folder: the worker trusts the server's token, not every byte it sends.
 */
export function checkManifest(hash: string, manifest: BundleManifestJson): void {
  const bad = (why: string) =>
    new OrchError("E_BAD_INPUT", `the manifest of bundle ${hash} is not valid: ${why}`);
  if (!manifest || manifest.hash !== hash || !Array.isArray(manifest.files)) {
    throw bad("it is not the bundle asked for");
  }
  for (const file of manifest.files) {
    const path = file?.path;
    if (
      typeof path !== "string" ||
      !path ||
      path.startsWith("/") ||
      path.includes("\\") ||
      path.includes("\0") ||
      path.split("/").some((part) => part === "" || part === "." || part === "..")
    ) {
      throw bad(`${JSON.stringify(path)} is not a relative path inside the bundle`);
    }
    if (typeof file.hash !== "string" || !CONTENT_HASH.test(file.hash)) {
      throw bad(`${path} has no valid content hash`);
    }
    if (!Number.isInteger(file.mode) || file.mode < 0 || file.mode > 0o777) {
      throw bad(`${path} has an invalid mode`);
    }
  }
  if (bundleHash(manifest.files) !== hash) throw bad("its files do not hash to the bundle's hash");
}

/** Download a bundle's files into `dir`, each checked against its digest as it arrives. */
async function download(dir: string, manifest: BundleManifestJson, source: BundleSource) {
  mkdirSync(dir, { recursive: true });
  // Files of the same content are downloaded once.
  const got = new Map<string, Uint8Array>();
  for (const file of manifest.files) {
    let data = got.get(file.hash);
    if (!data) {
      data = await source.getObject(manifest.hash, file.hash);
      if (sha256(data) !== file.hash) {
        throw new OrchError(
          "E_CONFLICT",
          `bundle ${manifest.hash}: ${file.path} arrived with the wrong content`,
        );
      }
      got.set(file.hash, data);
    }
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    await Bun.write(target, data);
    // Read-only: runs work in copies of these files and must not change them.
    chmodSync(target, (file.mode | 0o444) & ~0o222);
  }
}

/** What is wrong with the tree `dir` against its manifest (a file missing, extra, changed), or null. */
function treeProblem(dir: string, manifest: BundleManifestJson): string | null {
  const want = new Map(manifest.files.map((f) => [f.path, f.hash]));
  let found: string[];
  try {
    found = (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
      .filter((entry) => !entry.isDirectory())
      .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
  } catch (error) {
    return `its folder cannot be read (${(error as Error).message})`;
  }
  for (const path of found) if (!want.has(path)) return `${path} is not in the bundle`;
  for (const [path, hash] of want) {
    let data: Uint8Array;
    try {
      data = readFileSync(join(dir, path));
    } catch {
      return `${path} is missing`;
    }
    if (sha256(data) !== hash) return `${path} does not match its digest`;
  }
  return null;
}

function sha256(data: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(data).digest("hex");
}
