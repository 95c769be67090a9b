import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { defineCommand } from "citty";
import { OrchError } from "../core/errors.ts";
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
    const sdk = installSdkPackage(root);
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
