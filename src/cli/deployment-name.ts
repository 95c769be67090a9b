import type { Client } from "../client/index.ts";
import { OrchError } from "../core/errors.ts";
import { closest } from "../core/suggest.ts";

/**
 * Refuse a `--deployment` filter that names no deployment, not even a removed one (whose runs
 * stay listed): a typo then says so, with the closest name, instead of "nothing matches".
 */
export async function checkDeploymentName(client: Client, name: string): Promise<void> {
  const names = (await client.listDeployments({ all: true })).map((d) => d.name);
  if (names.includes(name)) return;
  const guess = closest(name, names);
  throw new OrchError(
    "E_NOT_FOUND",
    `no deployment named ${JSON.stringify(name)}${guess ? `; did you mean ${JSON.stringify(guess)}?` : "; orch deployments ls lists them"}`,
  );
}
