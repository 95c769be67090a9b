/** Secrets and variables as the API takes and shows them. A secret's value is never shown. */
import { TIME, type Wire } from "./schema.ts";

const NAME = { type: "string" } as const;

/** PUT /api/secrets/:name and PUT /api/variables/:name: the value. */
export const VALUE_REQUEST = {
  title: "ValueRequest",
  type: "object",
  additionalProperties: false,
  required: ["value"],
  properties: { value: { type: "string", minLength: 1, maxLength: 65_536 } },
} as const;

/** A secret as listed: its name and when it changed. */
export const SECRET = {
  title: "Secret",
  type: "object",
  additionalProperties: false,
  required: ["name", "created_at", "updated_at"],
  properties: { name: NAME, created_at: TIME, updated_at: TIME },
} as const;

/** GET /api/secrets: the secrets, and where the key that seals them is kept. */
export const SECRET_LIST = {
  title: "SecretList",
  type: "object",
  additionalProperties: false,
  required: ["secrets", "key"],
  properties: {
    secrets: { type: "array", items: SECRET },
    key: {
      description: "Where the key is kept (null until the first secret is set)",
      anyOf: [
        {
          type: "object",
          additionalProperties: false,
          required: ["kind", "where"],
          properties: {
            kind: { type: "string", enum: ["keychain", "file"] },
            where: { type: "string" },
          },
        },
        { type: "null" },
      ],
    },
  },
} as const;

/** A variable: a shared, non-secret value. */
export const VARIABLE = {
  title: "Variable",
  type: "object",
  additionalProperties: false,
  required: ["name", "value", "created_at", "updated_at"],
  properties: { name: NAME, value: { type: "string" }, created_at: TIME, updated_at: TIME },
} as const;

/** DELETE /api/secrets/:name and /api/variables/:name: remove it even while deployments name it. */
export const VALUE_REMOVE_QUERY = {
  force: {
    type: "boolean",
    description: "Remove it though live deployments name it (their runs then fail until it is set)",
  },
} as const;

/** The answer to removing a secret or a variable. */
export const VALUE_REMOVED = {
  title: "ValueRemoved",
  type: "object",
  additionalProperties: false,
  required: ["name", "removed"],
  properties: { name: NAME, removed: { type: "boolean" } },
} as const;

export type ValueRequest = Wire<typeof VALUE_REQUEST>;
export type SecretJson = Wire<typeof SECRET>;
export type SecretListJson = Wire<typeof SECRET_LIST>;
export type VariableJson = Wire<typeof VARIABLE>;
export type ValueRemoved = Wire<typeof VALUE_REMOVED>;
