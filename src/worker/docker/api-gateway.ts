import type { RunnerOptions } from "../spawn-run.ts";

/**
 * The API's address as a run's container sees it: the worker's own on the host network, none on
 * `network: none` (a flow runs the same without it; its task list is not reported), and on any
 * other network the gateway the worker serves there (RunnerOptions.containerApiUrl), if any.
 */
export function containerApiUrl(network: string, options: RunnerOptions): string {
  if (network === "none") return "";
  if (network === "host") return options.apiUrl ?? "";
  return options.containerApiUrl ?? "";
}
