import { defineCommand } from "citty";
import { VERSION } from "../core/index.ts";
import { write } from "../core/stdio.ts";

export default defineCommand({
  meta: { name: "version", description: "Print orch's version" },
  args: {},
  run() {
    write("stdout", `${VERSION}\n`);
  },
});
