/** Artifacts: a flow attaches markdown, tables and links to its run; anyone lists them. */
import {
  ARTIFACT,
  ARTIFACT_REQUEST,
  type ArtifactRequest,
  artifactProblems,
  OrchError,
} from "../../core/index.ts";
import { addArtifact, getRunOrThrow, listArtifacts, type Store } from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route, RouteContext } from "../router.ts";

/** POST and GET /api/runs/:id/artifacts. */
export function artifactRoutes({ store }: { store: Store }): Route[] {
  return [
    {
      method: "POST",
      path: "/api/runs/:id/artifacts",
      operationId: "createArtifact",
      summary:
        "Attach an artifact to a run: {key, type: markdown|table|link, data, description, task}",
      body: ARTIFACT_REQUEST,
      response: { status: 201, description: "The artifact", schema: ARTIFACT },
      handler: (_req, { params: { id }, body }: RouteContext<ArtifactRequest>) => {
        const problems = artifactProblems(body.type, body.data);
        if (problems.length) {
          throw new OrchError(
            "E_BAD_INPUT",
            "the request body is not valid",
            problems.map((p) => {
              const [where, ...message] = p.split(": ");
              return { where: where!, message: message.join(": ") };
            }),
          );
        }
        const run = getRunOrThrow(store, id!);
        return json(addArtifact(store, run.seq, body), 201);
      },
    },
    {
      method: "GET",
      path: "/api/runs/:id/artifacts",
      operationId: "listArtifacts",
      summary: "A run's artifacts, in the order they were made",
      response: { description: "The artifacts", schema: { type: "array", items: ARTIFACT } },
      handler: (_req, { params: { id } }) =>
        json(listArtifacts(store, getRunOrThrow(store, id!).seq)),
    },
  ];
}
