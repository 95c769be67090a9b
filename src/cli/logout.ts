import { defineCommand } from "citty";
import { connect, connectArgs } from "./connect.ts";
import { log } from "./output.ts";

export default defineCommand({
  meta: {
    name: "logout",
    description:
      "End every web UI session: each browser must log in again (orch open gives a fresh link)",
  },
  args: { ...connectArgs },
  async run({ args }) {
    // With no server running, the store remembers it: sessions stay ended when orch up starts.
    const connection = await connect(args, { local: true });
    try {
      await connection.client.endWebSessions();
    } finally {
      connection.close();
    }
    log.success("every web UI session is ended; run orch open to log a browser in again");
    return 0;
  },
});
