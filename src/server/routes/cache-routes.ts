/**
 * The task cache over the API: a flow's process (on this machine or a remote worker) looks up
 * and keeps cached task values here, so every worker shares the server's cache.
 */
import {
  CACHE_CLEARED,
  CACHE_ENTRY,
  CACHE_HIT,
  CACHE_PUT,
  CACHE_QUERY,
  type CacheHit,
  type CachePut,
  isOverMaxDuration,
  OrchError,
  parseDuration,
} from "../../core/index.ts";
import {
  cacheEntryToJson,
  clearCache,
  getCacheEntry,
  keepValue,
  listCacheEntries,
  parseStored,
  putCacheEntry,
  readValue,
  type Store,
} from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route, RouteContext } from "../router.ts";

/** What the cache routes need. */
export interface CacheRoutesDeps {
  store: Store;
  paths: { data: string };
}

/** GET, PUT and DELETE of /api/cache. */
export function cacheRoutes({ store, paths }: CacheRoutesDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/api/cache",
      operationId: "listCache",
      summary: "Cached task values (without the values), newest first: ?task=",
      query: CACHE_QUERY,
      response: { description: "The entries", schema: { type: "array", items: CACHE_ENTRY } },
      handler: (_req, { query }) =>
        json(listCacheEntries(store, query.task as string | undefined).map(cacheEntryToJson)),
    },
    {
      method: "DELETE",
      path: "/api/cache",
      operationId: "clearCache",
      summary: "Drop cached task values (all, or one task's with ?task=)",
      query: CACHE_QUERY,
      response: { description: "How many entries went", schema: CACHE_CLEARED },
      handler: (_req, { query }) =>
        json({ deleted: clearCache(store, query.task as string | undefined) }),
    },
    {
      method: "GET",
      path: "/api/cache/:task/:key",
      operationId: "getCacheEntry",
      summary: "A task's cached value under a key (404: none, or it expired)",
      response: { description: "The entry with its value", schema: CACHE_HIT },
      handler: (_req, { params: { task, key } }) => {
        const row = getCacheEntry(store, task!, key!);
        if (!row) {
          throw new OrchError("E_NOT_FOUND", `task ${task} has no cached value under ${key}`);
        }
        const { value } = readValue(paths.data, row.value, `the cached value of task ${task}`);
        const hit: CacheHit = { ...cacheEntryToJson(row), value };
        return json(hit);
      },
    },
    {
      method: "PUT",
      path: "/api/cache/:task/:key",
      operationId: "putCacheEntry",
      summary: 'Keep a task\'s value under a key: {value, expires: "1h" (null: ever), run_id}',
      body: CACHE_PUT,
      response: { description: "The entry", schema: CACHE_ENTRY },
      handler: (_req, { params: { task, key }, body }: RouteContext<CachePut>) => {
        let expiresIn: number | null = null;
        if (body.expires !== undefined && body.expires !== null) {
          const ms = parseDuration(body.expires);
          if (ms === undefined || ms <= 0) {
            throw new OrchError("E_BAD_INPUT", "the request body is not valid", [
              {
                where: "expires",
                message: isOverMaxDuration(body.expires)
                  ? `${JSON.stringify(body.expires)} is longer than 100 years: give null for an entry that never expires`
                  : `${JSON.stringify(body.expires)} is not a duration (like "30m", "1h", "7d")`,
              },
            ]);
          }
          expiresIn = ms;
        }
        const value = keepValue(paths.data, body.value, `the value of task ${task}`);
        const stored = parseStored(value);
        const row = putCacheEntry(
          store,
          {
            task: task!,
            key: key!,
            value,
            size: "size" in stored ? stored.size : 0,
            run_id: body.run_id ?? null,
          },
          expiresIn,
        );
        return json(cacheEntryToJson(row));
      },
    },
  ];
}
