import type { ProjectPaths } from "../core/index.ts";
import { createDeployer } from "../definitions/index.ts";
import { upcomingRuns } from "../scheduler/index.ts";
import { ensureDataDir, openStore } from "../store/index.ts";
import { createFlowDescriber } from "../worker/index.ts";
import { createApi } from "./create-api.ts";

/**
 * The API over the project's store in this process, for commands run while no server is up
 * (`orch deploy`, `orch deployments ls`): same routes, same JSON, no port, no worker.
 */
export function createLocalApi(paths: ProjectPaths): {
  fetch: (req: Request) => Promise<Response>;
  close: () => void;
} {
  ensureDataDir(paths);
  const store = openStore(paths.db);
  const deployer = createDeployer(store, paths, { describeFlow: createFlowDescriber() });
  return {
    fetch: createApi({
      store,
      paths,
      deployer,
      upcoming: (spec, n) => upcomingRuns(spec, n, Date.now()),
      // No server plans runs while this API is used (a command ran without one).
      unplanned: true,
      // No server log here: a failure of orch itself is told on the command's stderr.
      log: console,
    }),
    close: () => store.close(),
  };
}
