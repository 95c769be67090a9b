import { defineCommand } from "citty";
import { OrchError } from "../core/index.ts";
import { write } from "../core/stdio.ts";
import { jsonArg, projectOf } from "./connect.ts";
import { formatBytes } from "./format.ts";
import { c, log, printJson } from "./output.ts";

const dirArg = {
  dir: {
    type: "string",
    description:
      "The project root (default: the nearest folder up from here with flows/ or .orch/)",
  },
} as const;

export const backup = defineCommand({
  meta: {
    name: "backup",
    description: "Copy the store to .orch/backups/ (safe while orch runs)",
  },
  args: {
    ...dirArg,
    ...jsonArg,
    out: { type: "string", description: "Write the copy here instead" },
  },
  async run({ args }) {
    const { backupStoreFile } = await import("../store/index.ts");
    const paths = projectOf(args.dir);
    const path = backupStoreFile(paths.db, { out: args.out });
    if (args.json) return printJson({ path });
    log.success(`backed up ${paths.db} to ${path}`);
  },
});

export const restore = defineCommand({
  meta: {
    name: "restore",
    description: "Put a backup in place of the store (orch must be stopped)",
  },
  args: {
    ...dirArg,
    ...jsonArg,
    file: { type: "positional", description: "The backup to restore", required: true },
  },
  async run({ args }) {
    const { acquireInstanceLock, ensureDataDir, restoreStoreFile } = await import(
      "../store/index.ts"
    );
    const paths = projectOf(args.dir);
    ensureDataDir(paths);
    // The server's own lock, held for the restore: no server can start and open the store midway.
    const release = acquireInstanceLock(paths.lock);
    if (!release) {
      throw new OrchError(
        "E_ALREADY_RUNNING",
        `orch is running for ${paths.root}; stop it first (the store must not change under a restore)`,
      );
    }
    try {
      const result = restoreStoreFile(paths.db, args.file);
      if (args.json) return printJson(result);
      log.success(`restored ${result.restored} (schema ${result.schema}) to ${paths.db}`);
      if (result.previous) log.info(`the store it replaced is kept at ${result.previous}`);
    } finally {
      release();
    }
  },
});

export const check = defineCommand({
  meta: {
    name: "check",
    description: "Check the store: integrity, foreign keys and a test restore",
  },
  args: {
    ...dirArg,
    ...jsonArg,
    file: {
      type: "positional",
      description: "A store or backup file (default: the project's store)",
      required: false,
    },
  },
  async run({ args }) {
    const { checkStoreFile } = await import("../store/index.ts");
    const path = args.file ?? projectOf(args.dir).db;
    const result = checkStoreFile(path);
    if (args.json) printJson(result);
    else {
      const mark = (ok: boolean) => (ok ? c.green("✔") : c.red("✖"));
      const integrityOk = result.integrity.length === 1 && result.integrity[0] === "ok";
      const out = [
        `${c.bold(path)} (${formatBytes(result.size)}, schema ${result.schema ?? "unreadable"}; this orch knows ${result.known_schema})`,
        `${mark(integrityOk)} integrity${integrityOk ? "" : `: ${result.integrity.slice(0, 10).join("; ")}`}`,
        `${mark(!result.foreign_keys.length)} foreign keys${result.foreign_keys.length ? `: ${result.foreign_keys.length} rows point to missing rows (first: ${result.foreign_keys[0]!.table} row ${result.foreign_keys[0]!.rowid})` : ""}`,
        `${mark(result.test_restore.ok)} test restore: ${result.test_restore.message}`,
      ];
      if (result.schema !== null && result.schema > result.known_schema)
        out.push(`${mark(false)} written by a newer orch: upgrade orch to use it`);
      write("stdout", `${out.join("\n")}\n`);
    }
    if (result.schema === null) {
      throw new OrchError(
        "E_BAD_INPUT",
        `${path} is a SQLite database but not an orch store (it has no orch schema); an orch store is a project's .orch/orch.db, or one of its backups in .orch/backups/`,
      );
    }
    if (!result.ok) {
      throw new OrchError(
        "E_CONFLICT",
        `${path} did not pass its check; restore a backup from .orch/backups/ with orch db restore FILE`,
      );
    }
  },
});
