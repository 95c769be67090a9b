import { type BundleManifestJson, CONTENT_HASH, OrchError } from "../core/index.ts";
import { bundleHash, materializeBundle } from "../definitions/index.ts";

/** Where a remote worker gets bundles: the API's manifest and object downloads. */
export interface BundleSource {
  getBundle(hash: string): Promise<BundleManifestJson>;
  getObject(hash: string, object: string): Promise<Uint8Array>;
}

/**
 * A remote worker's bundle cache: a version's files are downloaded once into `bundlesDir` (the
 * same content-addressed layout as the server's), checked against their hashes, and shared by
 * every run of that version. Returns the folder of a bundle's files.
 */
export function createBundleCache(
  bundlesDir: string,
  source: BundleSource,
): (hash: string) => Promise<string> {
  const trees = new Map<string, Promise<string>>();
  const load = async (hash: string) => {
    const manifest = await source.getBundle(hash);
    checkManifest(hash, manifest);
    return materializeBundle(bundlesDir, manifest, (object) => source.getObject(hash, object));
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
