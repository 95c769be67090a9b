/**
 * Secrets and variables: values kept apart from definitions, sealed at rest (secrets), and
 * handed to the runs that name them.
 */
export { createSecretBox, type SecretBox } from "./secret-box.ts";
export { type KeyPlace, keyFilePath, loadSecretKey } from "./secret-key.ts";
export {
  checkValueSize,
  createSecrets,
  MAX_VALUE_CHARS,
  type Secrets,
} from "./secrets-service.ts";
