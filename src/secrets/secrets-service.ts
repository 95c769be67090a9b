import {
  checkValueName,
  type DeploymentSpec,
  OrchError,
  type ProjectPaths,
  type ReferenceValues,
} from "../core/index.ts";
import {
  deleteSecret,
  listSecrets,
  putSecret,
  type SecretInfo,
  type Store,
  sealedSecrets,
  variableValues,
} from "../store/index.ts";
import { createSecretBox, type SecretBox } from "./secret-box.ts";
import type { KeyPlace } from "./secret-key.ts";

/** The largest secret or variable value, in characters. */
export const MAX_VALUE_CHARS = 64 * 1024;

/** A project's secrets: set, list and remove for users; values only for the runs that use them. */
export interface Secrets {
  set(name: string, value: string): SecretInfo;
  list(): { secrets: SecretInfo[]; key: KeyPlace | null };
  remove(name: string): boolean;
  /**
   * The values of the secrets `names` (what one run uses), decrypted; a name removed since the
   * deploy is left out, and the run that needs it fails saying which (fillReferences).
   */
  values(names: readonly string[]): Record<string, string>;
  /** The values of the variables `names` that exist. */
  variables(names: readonly string[]): Record<string, string>;
  /** What a run of a version with `spec` receives: the secrets and variables it names. */
  forRun(spec: Pick<DeploymentSpec, "secrets" | "variables">): ReferenceValues;
}

/** Check a value's size; throws E_TOO_LARGE. */
export function checkValueSize(kind: "secret" | "variable", value: string): void {
  if (value.length > MAX_VALUE_CHARS) {
    throw new OrchError(
      "E_TOO_LARGE",
      `the ${kind} value is ${value.length} characters, over the cap of ${MAX_VALUE_CHARS}; keep large data in a file`,
    );
  }
}

/** The secrets of the project at `paths`, kept in `store` and sealed with its key. */
export function createSecrets(
  store: Store,
  paths: ProjectPaths,
  box: SecretBox = createSecretBox(paths),
): Secrets {
  return {
    set(name, value) {
      checkValueName("secret", name);
      checkValueSize("secret", value);
      if (!value) throw new OrchError("E_BAD_INPUT", `the value of secret ${name} is empty`);
      const sealed = box.seal(name, value);
      putSecret(store, name, sealed);
      return listSecrets(store).find((s) => s.name === name)!;
    },
    list: () => ({ secrets: listSecrets(store), key: box.place() }),
    remove: (name) => deleteSecret(store, name),
    values(names) {
      const sealed = names.length ? sealedSecrets(store, names) : new Map<string, Uint8Array>();
      const out: Record<string, string> = {};
      for (const [name, value] of sealed) out[name] = box.open(name, value);
      return out;
    },
    variables: (names) => (names.length ? variableValues(store, names) : {}),
    forRun(spec) {
      return {
        secrets: this.values(spec.secrets ?? []),
        variables: this.variables(spec.variables ?? []),
      };
    },
  };
}
