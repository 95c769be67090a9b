import { PROMETHEUS_CONTENT_TYPE, type RunMetrics } from "../../telemetry/index.ts";
import type { Route } from "../router.ts";

/** GET /metrics: the server's metrics in Prometheus text format (behind the token, like every route). */
export function metricsRoute(metrics: RunMetrics): Route {
  return {
    method: "GET",
    path: "/metrics",
    operationId: "getMetrics",
    summary: "Metrics in Prometheus text format",
    response: {
      description:
        "Prometheus text exposition (0.0.4): runs by deployment and state, run durations, queue depth, late runs, workers, log lines, store size",
      text: true,
    },
    handler: () =>
      new Response(metrics.render(), { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } }),
  };
}
