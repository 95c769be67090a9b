import { defineCommand } from "citty";
import { write } from "../core/stdio.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { localTime } from "./format.ts";
import { c, log, printJson, renderTable } from "./output.ts";
import { removeValueCommand } from "./remove-value.ts";

const nameArg = {
  name: { type: "positional", description: "The variable's name", required: true },
} as const;

export const set = defineCommand({
  meta: { name: "set", description: "Set a variable: a shared value that is not secret" },
  args: {
    ...nameArg,
    value: { type: "positional", description: "Its value", required: true },
    ...connectArgs,
    ...jsonArg,
  },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const info = await conn.client.setVariable(args.name, args.value);
      if (args.json) return printJson(info);
      log.success(
        `variable ${c.bold(info.name, "stderr")} set; use it as {{ variables.${info.name} }} in a definition or getVariable("${info.name}") in a flow`,
      );
    } finally {
      conn.close();
    }
  },
});

export const get = defineCommand({
  meta: { name: "get", description: "Print a variable's value" },
  args: { ...nameArg, ...connectArgs, ...jsonArg },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const info = await conn.client.getVariable(args.name);
      if (args.json) return printJson(info);
      write("stdout", `${info.value}\n`);
    } finally {
      conn.close();
    }
  },
});

export const ls = defineCommand({
  meta: { name: "ls", description: "List variables and their values" },
  args: { ...connectArgs, ...jsonArg },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const list = await conn.client.listVariables();
      if (args.json) return printJson(list);
      if (!list.length) {
        log.info("no variables; set one with orch variables set NAME VALUE");
        return;
      }
      const rows = list.map((v) => [c.bold(v.name), v.value, localTime(v.updated_at)]);
      write("stdout", `${renderTable(["NAME", "VALUE", "CHANGED"], rows)}\n`);
    } finally {
      conn.close();
    }
  },
});

export const rm = removeValueCommand("variable");
