import { defineCommand } from "citty";
import { VERSION } from "../core/index.ts";

export default defineCommand({
  meta: { name: "version", description: "Print orch's version" },
  args: {},
  run() {
    process.stdout.write(`${VERSION}\n`);
  },
});
