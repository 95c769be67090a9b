import { type Client, createClient, findServer } from "../client/index.ts";
import { OrchError, projectPaths } from "../core/index.ts";

/** Options every command that talks to orch takes. */
export const connectArgs = {
  dir: { type: "string", description: "The project root", default: "." },
  api: {
    type: "string",
    description: "The server's URL (default: ORCH_API_URL, or the project's running server)",
  },
  token: { type: "string", description: "The API token (default: ORCH_API_TOKEN, or .orch/token)" },
} as const;

/** The options that print JSON for scripts. */
export const jsonArg = {
  json: { type: "boolean", description: "Print one JSON document (snake_case keys)" },
} as const;

export interface Connection {
  client: Client;
  /** Whether a server answers (false: the project's store, read and written in this process). */
  remote: boolean;
  close(): void;
}

/**
 * Reach orch for a command: the running server when there is one; otherwise, for commands that
 * can work on the store alone (`local`), the API in this process; otherwise a clear error.
 */
export async function connect(
  args: { dir?: string; api?: string; token?: string },
  options: { local: boolean },
): Promise<Connection> {
  const paths = projectPaths(args.dir);
  const target = findServer(paths, args);
  if (target) {
    return { client: createClient(target), remote: true, close() {} };
  }
  if (!options.local) {
    throw new OrchError(
      "E_NO_SERVER",
      `no orch server is running for ${paths.root}; start one there with orch up, or pass --api URL`,
    );
  }
  const { createLocalApi } = await import("../server/local-api.ts");
  const local = createLocalApi(paths);
  return {
    client: createClient({ url: "http://orch.local", fetch: local.fetch }),
    remote: false,
    close: local.close,
  };
}
