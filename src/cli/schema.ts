import { defineCommand } from "citty";
import { DEFINITION_SCHEMA } from "../definitions/schema.ts";
import { printJson } from "./output.ts";

export default defineCommand({
  meta: { name: "schema", description: "Print the JSON Schema of definition files, for editors" },
  args: {},
  run() {
    printJson(DEFINITION_SCHEMA);
  },
});
