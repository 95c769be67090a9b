import { defineCommand } from "citty";
import { checkValueName } from "../core/references.ts";
import { write } from "../core/stdio.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { localTime } from "./format.ts";
import { c, log, printJson, renderTable } from "./output.ts";
import { readSecretValue } from "./read-secret-value.ts";
import { removeValueCommand } from "./remove-value.ts";

const nameArg = {
  name: { type: "positional", description: "The secret's name", required: true },
} as const;

export const set = defineCommand({
  meta: {
    name: "set",
    description: "Set a secret: typed at a prompt that does not echo, from stdin, or --from-file",
  },
  args: {
    ...nameArg,
    "from-file": { type: "string", description: "Read the value from this file" },
    ...connectArgs,
    ...jsonArg,
  },
  async run({ args }) {
    // A name the server would refuse is told before a value is asked for or read.
    checkValueName("secret", args.name);
    const value = await readSecretValue(args.name, args["from-file"]);
    const conn = await connect(args, { local: true });
    try {
      const info = await conn.client.setSecret(args.name, value);
      if (args.json) return printJson(info);
      log.success(
        `secret ${c.bold(info.name, "stderr")} set; use it as {{ secrets.${info.name} }} in a definition or getSecret("${info.name}") in a flow`,
      );
    } finally {
      conn.close();
    }
  },
});

export const ls = defineCommand({
  meta: { name: "ls", description: "List secrets: names and when they changed, never values" },
  args: { ...connectArgs, ...jsonArg },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const list = await conn.client.listSecrets();
      if (args.json) return printJson(list);
      if (list.secrets.length) {
        const rows = list.secrets.map((s) => [
          c.bold(s.name),
          localTime(s.updated_at),
          localTime(s.created_at),
        ]);
        write("stdout", `${renderTable(["NAME", "CHANGED", "CREATED"], rows)}\n`);
      } else log.info("no secrets; set one with orch secrets set NAME");
      if (list.key?.kind === "file") {
        log.info(
          `the key that encrypts them is in ${list.key.where} (mode 0600; no OS keychain was found), apart from the database`,
        );
      } else if (list.key) log.info(`the key that encrypts them is in ${list.key.where}`);
    } finally {
      conn.close();
    }
  },
});

export const rm = removeValueCommand("secret");
