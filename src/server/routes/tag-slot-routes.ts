import {
  TAG_SLOT_RELEASE,
  TAG_SLOT_RELEASED,
  TAG_SLOT_REQUEST,
  TAG_SLOT_TAKEN,
  TAG_SLOTS_IN_USE,
  type TagSlotRelease,
  type TagSlotRequest,
} from "../../core/index.ts";
import {
  getRunOrThrow,
  releaseTagSlot,
  type Store,
  tagSlotsInUse,
  takeTagSlot,
} from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route, RouteContext } from "../router.ts";

/**
 * Routes for tag concurrency (a task's `concurrency: { tag, limit }`): a running flow takes a
 * slot before a task attempt and gives it back after; the slots in use, by tag.
 */
export function tagSlotRoutes({
  store,
  settle,
}: {
  store: Store;
  /** Write what the server's worker holds back of the run (see flowRunRoutes). */
  settle?: (runId: string) => void;
}): Route[] {
  return [
    {
      method: "POST",
      path: "/api/runs/:id/slots",
      operationId: "takeTagSlot",
      summary:
        "A running flow asks for a slot of a tag (at most `limit` held across runs): {tag, limit, holder}",
      body: TAG_SLOT_REQUEST,
      response: {
        description: "Whether the slot is held now; if not, ask again later",
        schema: TAG_SLOT_TAKEN,
      },
      handler: (_req, { params: { id }, body }: RouteContext<TagSlotRequest>) => {
        settle?.(id!);
        const run = getRunOrThrow(store, id!);
        return json({ acquired: takeTagSlot(store, run.seq, body.tag, body.limit, body.holder) });
      },
    },
    {
      method: "POST",
      path: "/api/runs/:id/slots/release",
      operationId: "releaseTagSlot",
      summary: "A flow gives back the slot an attempt held: {holder}",
      body: TAG_SLOT_RELEASE,
      response: { description: "Whether a slot was given back", schema: TAG_SLOT_RELEASED },
      handler: (_req, { params: { id }, body }: RouteContext<TagSlotRelease>) => {
        const run = getRunOrThrow(store, id!);
        return json({ released: releaseTagSlot(store, run.seq, body.holder) });
      },
    },
    {
      method: "GET",
      path: "/api/tag-slots",
      operationId: "listTagSlots",
      summary: "Tag concurrency slots held now, by tag",
      response: { description: "Slots held, by tag", schema: TAG_SLOTS_IN_USE },
      handler: () => json(tagSlotsInUse(store)),
    },
  ];
}
