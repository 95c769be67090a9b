import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OrchError, type ProjectPaths } from "../core/index.ts";

/** Where a project's secrets key is kept, in words for `orch secrets ls`. */
export interface KeyPlace {
  kind: "keychain" | "file";
  /** `the login keychain (security)`, or the key file's path. */
  where: string;
}

/** A project's secrets key and where it is kept. */
export interface SecretKey {
  key: Uint8Array;
  place: KeyPlace;
}

/** The key file of a project: in its data dir, beside the database but never inside it. */
export function keyFilePath(paths: ProjectPaths): string {
  return join(paths.data, "secrets.key");
}

const SERVICE = "orch";
const KEY_BYTES = 32;
/** How long a keychain tool may take (it may wait for an unlock prompt nobody answers). */
const KEYCHAIN_TIMEOUT_MS = 5000;

/** An OS keychain reached through its command-line tool. */
interface Keychain {
  name: string;
  lookup(account: string): string | null;
  store(account: string, secret: string): boolean;
}

function run(argv: string[], stdin?: string): { ok: boolean; out: string } {
  try {
    const proc = Bun.spawnSync(argv, {
      stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
      stdout: "pipe",
      stderr: "ignore",
      timeout: KEYCHAIN_TIMEOUT_MS,
    });
    return { ok: proc.exitCode === 0, out: proc.stdout.toString().trim() };
  } catch {
    return { ok: false, out: "" };
  }
}

/**
 * The OS keychain of this machine, when its tool is installed: libsecret's `secret-tool` on
 * Linux, `security` on macOS. ORCH_KEYCHAIN=off keeps the key in a file instead.
 */
function findKeychain(env: Record<string, string | undefined>): Keychain | null {
  if (env.ORCH_KEYCHAIN === "off") return null;
  if (process.platform === "darwin" && Bun.which("security")) {
    return {
      name: "the macOS keychain (security)",
      lookup: (account) => {
        const found = run([
          "security",
          "find-generic-password",
          "-s",
          SERVICE,
          "-a",
          account,
          "-w",
        ]);
        return found.ok && found.out ? found.out : null;
      },
      store: (account, secret) =>
        run(["security", "add-generic-password", "-U", "-s", SERVICE, "-a", account, "-w", secret])
          .ok,
    };
  }
  if (process.platform === "linux" && Bun.which("secret-tool")) {
    return {
      name: "the Secret Service keyring (secret-tool)",
      lookup: (account) => {
        const found = run(["secret-tool", "lookup", "service", SERVICE, "project", account]);
        return found.ok && found.out ? found.out : null;
      },
      // The key goes on stdin: an argument would show in ps.
      store: (account, secret) =>
        run(
          [
            "secret-tool",
            "store",
            "--label",
            `orch secrets key (${account})`,
            "service",
            SERVICE,
            "project",
            account,
          ],
          secret,
        ).ok,
    };
  }
  return null;
}

function decode(text: string, where: string): Uint8Array {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== KEY_BYTES) {
    throw new OrchError(
      "E_INTERNAL",
      `the secrets key in ${where} is not a ${KEY_BYTES}-byte base64 key; restore it, or remove it and set every secret again`,
    );
  }
  return key;
}

/**
 * The project's secrets key: from its key file when there is one, else from the OS keychain;
 * made on first use (with `create`), in the keychain when one works, else in a key file of mode
 * 0600. Why apart from the database: a copy of orch.db (a backup, a bug report) then holds
 * nothing readable.
 */
export function loadSecretKey(
  paths: ProjectPaths,
  options: { create: boolean; env?: Record<string, string | undefined> },
): SecretKey | null {
  const file = keyFilePath(paths);
  if (existsSync(file)) {
    // A key file others can read is a secret shared with them: tighten it before use.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return { key: decode(readFileSync(file, "utf8"), file), place: { kind: "file", where: file } };
  }
  const keychain = findKeychain(options.env ?? process.env);
  const account = paths.data;
  const found = keychain?.lookup(account);
  if (keychain && found) {
    return { key: decode(found, keychain.name), place: { kind: "keychain", where: keychain.name } };
  }
  if (!options.create) return null;
  const key = randomBytes(KEY_BYTES);
  const text = key.toString("base64");
  if (keychain?.store(account, text) && keychain.lookup(account) === text) {
    return { key, place: { kind: "keychain", where: keychain.name } };
  }
  writeFileSync(file, `${text}\n`, { mode: 0o600, flag: "wx" });
  return { key, place: { kind: "file", where: file } };
}
