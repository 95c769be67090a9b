import { flowModules } from "../core/flow-modules.ts";
import type { DeploymentSpec } from "../core/index.ts";
import { type Bundle, type BundleFile, bundleHash } from "./bundles.ts";

/** The files of a bundle one deployment's runs use, and the hash that versions them. */
export interface VersionFiles {
  /** Bundle-relative path to content hash. */
  files: Record<string, string>;
  /** The hash of those files: the bundle's own hash when they are all of it. */
  hash: string;
  /** For a TypeScript flow: its entry and the local modules it imports. */
  modules: string[];
}

/** Whether `path` matches one of a definition's `include:` globs (relative to its folder). */
function included(globs: readonly string[]): (path: string) => boolean {
  const compiled = globs.map((g) => new Bun.Glob(g.replace(/^\.\//, "")));
  return (path) => compiled.some((g) => g.match(path));
}

/**
 * What a deployment's version is made of, so that only a change of what its runs use makes a
 * new version: for a TypeScript flow, its file and the local modules it imports (Bun's import
 * scanner follows them), plus the files its `include:` globs match; for a command, its whole
 * folder, or only what `include:` matches. Editing one flow then leaves the versions of the
 * other deployments in the same folder as they were.
 */
export function versionFiles(spec: DeploymentSpec, folder: string, bundle: Bundle): VersionFiles {
  const paths = new Set(bundle.files.map((f) => f.path));
  const modules = spec.flow ? flowModules(folder, spec.flow.path, paths) : [];
  const include = spec.include ? included(spec.include) : null;
  let used: BundleFile[];
  if (spec.flow) {
    const wanted = new Set(modules);
    used = bundle.files.filter((f) => wanted.has(f.path) || include?.(f.path));
  } else {
    used = include ? bundle.files.filter((f) => include(f.path)) : bundle.files;
  }
  return {
    files: Object.fromEntries(used.map((f) => [f.path, f.hash])),
    hash: used.length === bundle.files.length ? bundle.hash : bundleHash(used),
    modules,
  };
}
