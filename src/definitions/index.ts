export {
  type Bundle,
  type BundleFile,
  bundleHash,
  type FileHashCache,
  materializeBundle,
  objectPath,
  scanBundle,
  storeBundleObjects,
} from "./bundles.ts";
