import {
  checkValueName,
  type DeployReport,
  OrchError,
  SECRET,
  SECRET_LIST,
  type SecretListJson,
  VALUE_REMOVE_QUERY,
  VALUE_REMOVED,
  VALUE_REQUEST,
  VARIABLE,
  type ValueRemoved,
  type ValueRequest,
} from "../../core/index.ts";
import type { Deployer } from "../../definitions/index.ts";
import { checkValueSize, type Secrets } from "../../secrets/index.ts";
import {
  deleteVariable,
  deploymentsNaming,
  getVariable,
  listVariables,
  putVariable,
  type Store,
} from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route, RouteContext } from "../router.ts";

/** What the secret and variable routes need. */
export interface ValueRoutesDeps {
  store: Store;
  secrets: Secrets;
  deployer: Deployer;
  /** Told of the re-check's outcome (a file valid again), as the watcher's passes are. */
  onDeploy?: (report: DeployReport) => void;
}

/**
 * Routes for secrets (set, list, remove: a value is never read back) and variables (set, get,
 * list, remove). Setting one re-checks definitions that were invalid for naming it.
 */
export function valueRoutes({ store, secrets, deployer, onDeploy }: ValueRoutesDeps): Route[] {
  const recheck = () => onDeploy?.(deployer.deployChanged([]));
  /** Refuse to remove a value live deployments name, unless forced: their runs would fail. */
  const unused = (name: string, what: "secret" | "variable", force: boolean | undefined) => {
    const users = force ? [] : deploymentsNaming(store, `${what}s`, name);
    if (!users.length) return;
    throw new OrchError(
      "E_BAD_INPUT",
      `${what} ${name} is named by ${users.length === 1 ? "deployment" : "deployments"} ${users.join(", ")}: ${users.length === 1 ? "its" : "their"} runs would fail without it; remove it from ${users.length === 1 ? "its definition" : "their definitions"} first, or remove it anyway with --force`,
    );
  };
  const removed = (name: string, done: boolean, what: "secret" | "variable"): Response => {
    if (!done) {
      throw new OrchError(
        "E_NOT_FOUND",
        `no ${what} named ${JSON.stringify(name)}; orch ${what}s ls lists them`,
      );
    }
    const answer: ValueRemoved = { name, removed: true };
    return json(answer);
  };
  return [
    {
      method: "GET",
      path: "/api/secrets",
      operationId: "listSecrets",
      summary: "List secrets: names and when they changed, never values; where the key is kept",
      response: { description: "{secrets, key}", schema: SECRET_LIST },
      handler: () => {
        const list: SecretListJson = secrets.list();
        return json(list);
      },
    },
    {
      method: "PUT",
      path: "/api/secrets/:name",
      operationId: "setSecret",
      summary: "Set a secret: {value}, stored encrypted; the answer never holds the value",
      body: VALUE_REQUEST,
      response: { description: "The secret's name and times", schema: SECRET },
      handler: (_req, { params: { name }, body }: RouteContext<ValueRequest>) => {
        const info = secrets.set(name!, body.value);
        recheck();
        return json(info);
      },
    },
    {
      method: "DELETE",
      path: "/api/secrets/:name",
      operationId: "removeSecret",
      summary:
        "Remove a secret; refused while live deployments name it (their runs would fail), unless ?force=true",
      query: VALUE_REMOVE_QUERY,
      response: { description: "{name, removed}", schema: VALUE_REMOVED },
      handler: (_req, { params: { name }, query }) => {
        unused(name!, "secret", query.force as boolean | undefined);
        return removed(name!, secrets.remove(name!), "secret");
      },
    },
    {
      method: "GET",
      path: "/api/variables",
      operationId: "listVariables",
      summary: "List variables with their values",
      response: { description: "Variables by name", schema: { type: "array", items: VARIABLE } },
      handler: () => json(listVariables(store)),
    },
    {
      method: "GET",
      path: "/api/variables/:name",
      operationId: "getVariable",
      summary: "A variable and its value",
      response: { description: "The variable", schema: VARIABLE },
      handler: (_req, { params: { name } }) => {
        const found = getVariable(store, name!);
        if (!found) {
          throw new OrchError(
            "E_NOT_FOUND",
            `no variable named ${JSON.stringify(name)}; set it with orch variables set ${name} VALUE`,
          );
        }
        return json(found);
      },
    },
    {
      method: "PUT",
      path: "/api/variables/:name",
      operationId: "setVariable",
      summary: "Set a variable: {value}",
      body: VALUE_REQUEST,
      response: { description: "The variable as stored", schema: VARIABLE },
      handler: (_req, { params: { name }, body }: RouteContext<ValueRequest>) => {
        checkValueName("variable", name!);
        checkValueSize("variable", body.value);
        const info = putVariable(store, name!, body.value);
        recheck();
        return json(info);
      },
    },
    {
      method: "DELETE",
      path: "/api/variables/:name",
      operationId: "removeVariable",
      summary:
        "Remove a variable; refused while live deployments name it (their runs would fail), unless ?force=true",
      query: VALUE_REMOVE_QUERY,
      response: { description: "{name, removed}", schema: VALUE_REMOVED },
      handler: (_req, { params: { name }, query }) => {
        unused(name!, "variable", query.force as boolean | undefined);
        return removed(name!, deleteVariable(store, name!), "variable");
      },
    },
  ];
}
