import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { defineCommand } from "citty";
import { OrchError } from "../core/errors.ts";
import { fsReason, isSystemError } from "../core/fs-errors.ts";
import { findProjectRoot } from "../core/paths.ts";
import { write } from "../core/stdio.ts";
import { DEFINITION_SCHEMA } from "../definitions/schema.ts";
import { installSdkPackage } from "./init-sdk-package.ts";
import { INIT_FILES } from "./init-templates.ts";
import { c, log } from "./output.ts";

export default defineCommand({
  meta: {
    name: "init",
    description:
      "Create a project with example flows and a test; in a project, bring its node_modules/orch up to date",
  },
  args: {
    dir: { type: "positional", description: "Where to create it", required: false, default: "." },
  },
  run({ args }) {
    const root = resolve(args.dir);
    // A project inside another's flows/ would have its definitions read by that one too.
    const outer = findProjectRoot(undefined, dirname(root));
    if (outer && (root + sep).startsWith(join(outer, "flows") + sep)) {
      throw new OrchError(
        "E_BAD_INPUT",
        `${root} is inside the flows/ folder of the project at ${outer}, which would read its definition files too; make the project outside ${join(outer, "flows")}`,
      );
    }
    // Likely meant: bring the enclosing project up to date. Made all the same; said, so it is seen.
    if (outer && findProjectRoot(undefined, root) !== root) {
      log.warn(
        `${root} is inside the project at ${outer}: making a new project here; to bring that one's node_modules/orch up to date, run orch init ${outer}`,
      );
    }
    if (existsSync(root) && !statSync(root).isDirectory()) {
      throw new OrchError(
        "E_BAD_INPUT",
        `${args.dir} is a file, not a folder; give orch init a folder (a new one is created)`,
      );
    }
    let sdk: ReturnType<typeof installSdkPackage>;
    try {
      writeProjectFiles(root);
      sdk = installSdkPackage(root);
    } catch (error) {
      // The folder cannot be written (no such parent, read-only, not ours): say so, not a stack.
      if (!isSystemError(error)) throw error;
      const where = error.path ?? root;
      throw new OrchError(
        "E_BAD_INPUT",
        `cannot create ${where}: ${fsReason(error)}; give orch init a folder you can write to`,
      );
    }
    if (sdk === "written")
      log.info("created node_modules/orch (the SDK, for Bun, Node and editors)");
    if (sdk === "foreign") {
      log.warn("node_modules/orch is a package orch did not write; kept as it is");
    }
    const rel = relative(process.cwd(), root);
    const where = rel.startsWith("..") ? root : rel || ".";
    log.success(`project ready in ${root}`);
    write(
      "stderr",
      `\nNext: ${c.cyan(where === "." ? "orch up" : `cd ${where} && orch up`, "stderr")}\n`,
    );
    return 0;
  },
});

/** Write the example project's files into `root`, keeping any that exist. */
function writeProjectFiles(root: string): void {
  const files = {
    ...INIT_FILES,
    "orch.schema.json": `${JSON.stringify(DEFINITION_SCHEMA, null, 2)}\n`,
  };
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, path);
    if (existsSync(target)) {
      log.warn(`${path} exists; kept as it is`);
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    log.info(`created ${path}`);
  }
}
