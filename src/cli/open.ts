import { defineCommand } from "citty";
import { write } from "../core/stdio.ts";
import { connect, connectArgs } from "./connect.ts";
import { c, log } from "./output.ts";

/** The command that opens a URL in the default browser here, or null when there is none. */
function browserCommand(url: string): string[] | null {
  if (process.platform === "darwin") return ["open", url];
  if (process.platform === "win32") return ["cmd", "/c", "start", "", url];
  const opener = Bun.which("xdg-open");
  return opener ? [opener, url] : null;
}

export default defineCommand({
  meta: {
    name: "open",
    description: "Open the web UI in the default browser, logged in (a fresh one-time code)",
  },
  args: {
    ...connectArgs,
    print: { type: "boolean", description: "Only print the URL, do not start a browser" },
  },
  async run({ args }) {
    const connection = await connect(args, { local: false });
    const { login_path } = await connection.client.createLoginCode();
    const url = `${connection.client.url.replace(/\/$/, "")}${login_path}`;
    connection.close();
    const command = args.print ? null : browserCommand(url);
    if (command) {
      // The browser may take long to start, or stay in the foreground: orch does not wait.
      const child = Bun.spawn(command, { stdio: ["ignore", "ignore", "ignore"] });
      child.unref();
      log.info(`opening the web UI (a one-time login link): ${c.cyan(url, "stderr")}`);
    } else {
      if (!args.print) log.info("no browser to open here; open this one-time login link:");
      write("stdout", `${url}\n`);
    }
    return 0;
  },
});
