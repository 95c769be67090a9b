/** Version bundles as workers download them (/api/bundles/…): content-addressed files. */
import type { Wire } from "./schema.ts";

/** Content hashes (of bundles and their objects) are lower-case sha256 hex. */
export const CONTENT_HASH = /^[0-9a-f]{64}$/;

/** A bundle's manifest as GET /api/bundles/:hash serves it. */
export const BUNDLE_MANIFEST = {
  title: "BundleManifest",
  type: "object",
  additionalProperties: false,
  required: ["hash", "files", "size"],
  properties: {
    hash: { type: "string", pattern: CONTENT_HASH.source },
    files: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["path", "hash", "size", "mode"],
        properties: {
          path: { type: "string" },
          hash: { type: "string", pattern: CONTENT_HASH.source },
          size: { type: "integer", minimum: 0 },
          mode: { type: "integer", minimum: 0 },
        },
      },
    },
    size: { type: "integer", minimum: 0 },
  },
} as const;

export type BundleManifestJson = Wire<typeof BUNDLE_MANIFEST>;
