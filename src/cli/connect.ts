import { type Client, createClient } from "../client/create-client.ts";
import { findServer } from "../client/find-server.ts";
import { OrchError } from "../core/errors.ts";
import { findProjectRoot, type ProjectPaths, projectPaths } from "../core/paths.ts";
import { pathKind } from "../core/quick-fs.ts";

/** Options every command that talks to orch takes. */
export const connectArgs = {
  dir: {
    type: "string",
    description:
      "The project root (default: the nearest folder up from here with flows/ or .orch/)",
  },
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

/**
 * The paths of the project a command works on (see findProjectRoot); a clear error, exit 2,
 * when there is none here or above.
 */
export function projectOf(dir: string | undefined): ProjectPaths {
  const root = findProjectRoot(dir);
  if (root === null) {
    throw new OrchError(
      "E_BAD_INPUT",
      `no orch project in ${process.cwd()} or above (no flows/ or .orch/ folder); create one with orch init, or pass --dir`,
    );
  }
  if (pathKind(root) === null) {
    throw new OrchError(
      "E_BAD_INPUT",
      `--dir ${dir}: no such folder (orch init ${dir} makes a project there)`,
    );
  }
  return projectPaths(root);
}

export interface Connection {
  client: Client;
  /** Whether a server answers (false: the project's store, read and written in this process). */
  remote: boolean;
  /** The API in this process, when no server answers (`remote` false). */
  local?: (req: Request) => Promise<Response>;
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
  const remoteOnly = Boolean(args.api ?? process.env.ORCH_API_URL);
  const paths = remoteOnly ? projectPaths(findProjectRoot(args.dir) ?? ".") : projectOf(args.dir);
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
    local: local.fetch,
    close: local.close,
  };
}
