import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { OrchError, type ProjectPaths } from "../core/index.ts";
import { type KeyPlace, loadSecretKey, type SecretKey } from "./secret-key.ts";

/** Encrypts and decrypts a project's secret values with its key (AES-256-GCM). */
export interface SecretBox {
  /** A value sealed for storage under `name` (the name is bound in: a value moved to another name does not open). */
  seal(name: string, value: string): Uint8Array;
  /** A stored value opened; throws when it was altered or sealed with another key. */
  open(name: string, sealed: Uint8Array): string;
  /** Where the key is kept, or null when no secret was ever set. */
  place(): KeyPlace | null;
}

const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The secret box of a project. The key is read (or made, on the first seal) once and kept in
 * memory: a keychain tool is not started for every run.
 */
export function createSecretBox(
  paths: ProjectPaths,
  env: Record<string, string | undefined> = process.env,
): SecretBox {
  let loaded: SecretKey | null = null;
  const key = (create: boolean): SecretKey | null => {
    loaded ??= loadSecretKey(paths, { create, env });
    return loaded;
  };
  return {
    seal(name, value) {
      const { key: k } = key(true)!;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", k, iv);
      cipher.setAAD(Buffer.from(name));
      const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
      return Buffer.concat([Buffer.from([FORMAT]), iv, cipher.getAuthTag(), body]);
    },
    open(name, sealed) {
      const found = key(false);
      if (!found) {
        throw new OrchError(
          "E_INTERNAL",
          `secret ${name} cannot be read: the project's secrets key is missing (it was in ${paths.data}/secrets.key or the OS keychain); set the secret again`,
        );
      }
      const data = Buffer.from(sealed);
      try {
        if (data[0] !== FORMAT) throw new Error("unknown format");
        const iv = data.subarray(1, 1 + IV_BYTES);
        const tag = data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
        const decipher = createDecipheriv("aes-256-gcm", found.key, iv);
        decipher.setAAD(Buffer.from(name));
        decipher.setAuthTag(tag);
        const body = data.subarray(1 + IV_BYTES + TAG_BYTES);
        return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
      } catch {
        throw new OrchError(
          "E_INTERNAL",
          `secret ${name} cannot be decrypted with the key in ${found.place.where} (another key, or an altered store); set it again`,
        );
      }
    },
    place: () => key(false)?.place ?? null,
  };
}
