/** Re-exported for the definitions' users: the shape is the API's (core's wire module). */
export type { DeployReport } from "../core/index.ts";
export type { DeployedHash } from "../store/index.ts";
export {
  BUNDLE_MAX_BYTES,
  BUNDLE_MAX_FILES,
  type Bundle,
  type BundleFile,
  bundleHash,
  type FileHashCache,
  materializeBundle,
  objectPath,
  scanBundle,
  storeBundleObjects,
} from "./bundles.ts";
export {
  createDeployer,
  type Deployer,
  type DeployProgress,
  type PacedDeploy,
} from "./create-deployer.ts";
export { deployFolder, storeBundle, versionHash } from "./deploy-folder.ts";
export { type KnownValues, knownValues } from "./deployment-values.ts";
export { findDefinitionFiles } from "./find-definition-files.ts";
export { type DescribeFlow, withFlowDefaults } from "./flow-defaults.ts";
export { JOB_FIELDS, parseMemory, resolveInfrastructure } from "./job-template.ts";
export { type ParsedDeployment, type ParsedFile, parseDefinitions } from "./parse-definitions.ts";
export {
  createDefinitionReader,
  type DefinitionReader,
  type LoadedDefinition,
} from "./read-off-thread.ts";
export { DEFINITION_SCHEMA } from "./schema.ts";
export { watchDefinitions } from "./watch-definitions.ts";
