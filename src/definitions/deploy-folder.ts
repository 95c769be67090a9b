import { type DeploymentSpec, stableStringify } from "../core/index.ts";
import {
  type DeployChange,
  type DeploymentRow,
  type Store,
  saveBundle,
  upsertDeployment,
} from "../store/index.ts";
import { type Bundle, scanBundle, storeBundleObjects } from "./bundles.ts";
import { versionFiles } from "./version-files.ts";

/** The content hash that versions a deployment: its spec and the hash of the files it uses. */
export function versionHash(spec: DeploymentSpec, bundleHash: string): string {
  return new Bun.CryptoHasher("sha256")
    .update(stableStringify(spec))
    .update(bundleHash)
    .digest("hex");
}

/** Keep a bundle: its files in the object store, its manifest in the store. */
export function storeBundle(
  store: Store,
  bundlesDir: string,
  folder: string,
  bundle: Bundle,
): void {
  storeBundleObjects(bundlesDir, folder, bundle);
  saveBundle(store, bundle);
}

/**
 * Record `spec` as a deployment whose bundle is `folder` (read and stored now): a new version
 * when its content changed. What the deployer does for each definition, for specs made in code.
 */
export function deployFolder(
  store: Store,
  bundlesDir: string,
  folder: string,
  spec: DeploymentSpec,
  source: { file: string; line: number } = { file: "(code)", line: 1 },
): { deployment: DeploymentRow; change: DeployChange } {
  const bundle = scanBundle(folder);
  storeBundle(store, bundlesDir, folder, bundle);
  const used = versionFiles(spec, folder, bundle);
  return upsertDeployment(store, {
    spec,
    hash: versionHash(spec, used.hash),
    files: used.files,
    bundle: bundle.hash,
    sourceFile: source.file,
    sourceLine: source.line,
  });
}
