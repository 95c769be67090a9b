import type { Wire } from "./schema.ts";

const TAG = { type: "string", minLength: 1, maxLength: 200 } as const;
const HOLDER = { type: "string", minLength: 1, maxLength: 200 } as const;

/** POST /api/runs/:id/slots: a task attempt asks for a slot of a tag's concurrency limit. */
export const TAG_SLOT_REQUEST = {
  title: "TagSlotRequest",
  type: "object",
  additionalProperties: false,
  required: ["tag", "limit", "holder"],
  properties: {
    tag: TAG,
    limit: { type: "integer", minimum: 1, maximum: 1_000_000 },
    holder: { ...HOLDER, description: "The attempt that holds it (unique in the run)" },
  },
} as const;

/** The answer to a slot request: whether the slot is held now (if not, ask again later). */
export const TAG_SLOT_TAKEN = {
  title: "TagSlotTaken",
  type: "object",
  additionalProperties: false,
  required: ["acquired"],
  properties: { acquired: { type: "boolean" } },
} as const;

/** POST /api/runs/:id/slots/release: the attempt gives its slot back. */
export const TAG_SLOT_RELEASE = {
  title: "TagSlotRelease",
  type: "object",
  additionalProperties: false,
  required: ["holder"],
  properties: { holder: HOLDER },
} as const;

/** The answer to a release: whether the holder held a slot. */
export const TAG_SLOT_RELEASED = {
  title: "TagSlotReleased",
  type: "object",
  additionalProperties: false,
  required: ["released"],
  properties: { released: { type: "boolean" } },
} as const;

/** GET /api/tag-slots: slots held now, by tag. */
export const TAG_SLOTS_IN_USE = {
  title: "TagSlotsInUse",
  type: "object",
  additionalProperties: { type: "integer", minimum: 1 },
} as const;

export type TagSlotRequest = Wire<typeof TAG_SLOT_REQUEST>;
export type TagSlotRelease = Wire<typeof TAG_SLOT_RELEASE>;
