import { defineCommand } from "citty";
import { OrchError } from "../core/index.ts";
import { isTerminal } from "../core/stdio.ts";
import { connect, connectArgs } from "./connect.ts";

export default defineCommand({
  meta: {
    name: "monitor",
    description: "Watch a running server in the terminal UI",
  },
  args: { ...connectArgs },
  async run({ args }) {
    if (!isTerminal("stdout") || !isTerminal("stdin")) {
      throw new OrchError(
        "E_BAD_INPUT",
        "orch monitor needs a terminal; for scripts use orch runs ls, orch runs logs ID -f, or the API",
      );
    }
    // Ink and React load only here, while this command finds the server and the monitor loads
    // its data.
    const monitor = (await import("../tui/index.ts")).createMonitor({ mode: "attach" });
    const connection = await connect(args, { local: false });
    let stop: () => void = () => {};
    const signalled = new Promise<void>((resolve) => {
      stop = resolve;
    });
    process.once("SIGTERM", stop);
    process.once("SIGHUP", stop);
    await monitor.run(connection.client, { until: signalled });
    connection.close();
    return 0;
  },
});
