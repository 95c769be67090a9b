/**
 * Tag concurrency: `task(..., { concurrency: { tag: "db", limit: 2 } })` runs at most `limit`
 * task runs with that tag at once, across every run the server tracks. A slot is taken from the
 * server before each attempt and given back after it; the server also frees a run's slots when
 * the run stops running, so a process that dies never leaves one held. In an untracked process
 * the limit holds within the process.
 */
import { callRunApi, isTracked } from "./run-context.ts";
import { currentTarget } from "./run-target.ts";

/** A tag's concurrency limit. */
export interface TagConcurrency {
  tag: string;
  limit: number;
}

/** How often a waiting task asks again, at first and at most (ms). */
const FIRST_POLL_MS = 20;
const MAX_POLL_MS = 500;

/** Waiters and holders of each tag in this process: the limit holds here before the server. */
const local = new Map<string, { held: number; waiting: (() => void)[] }>();

async function takeLocal(tag: string, limit: number): Promise<void> {
  const entry = local.get(tag) ?? { held: 0, waiting: [] };
  local.set(tag, entry);
  while (entry.held >= limit) await new Promise<void>((resolve) => entry.waiting.push(resolve));
  entry.held++;
}

function giveLocal(tag: string): void {
  const entry = local.get(tag)!;
  entry.held--;
  entry.waiting.shift()?.();
}

/** Check a concurrency option when the task is defined. */
export function checkConcurrency(value: TagConcurrency, where: string): TagConcurrency {
  if (typeof value?.tag !== "string" || !value.tag) {
    throw new TypeError(`${where}.tag must be a tag name (like "db")`);
  }
  if (!Number.isInteger(value.limit) || value.limit < 1) {
    throw new TypeError(`${where}.limit must be a whole number of at least 1, not ${value.limit}`);
  }
  return value;
}

/**
 * Wait for a slot of `tag` (at most `limit` held at once); resolves with the function that gives
 * it back. `holder` names the attempt that holds it (unique in the run).
 */
export async function takeTagSlot(
  { tag, limit }: TagConcurrency,
  holder: string,
): Promise<() => Promise<void>> {
  await takeLocal(tag, limit);
  if (!isTracked() || currentTarget()?.localSlots) return async () => giveLocal(tag);
  try {
    for (let wait = FIRST_POLL_MS; ; wait = Math.min(MAX_POLL_MS, wait * 2)) {
      const answer = await callRunApi<{ acquired: boolean }>("POST", "/api/runs/:run/slots", {
        tag,
        limit,
        holder,
      });
      if (answer.acquired) break;
      await new Promise((resolve) => setTimeout(resolve, wait * (0.5 + Math.random() / 2)));
    }
  } catch (error) {
    giveLocal(tag);
    throw error;
  }
  return async () => {
    try {
      await callRunApi("POST", "/api/runs/:run/slots/release", { holder });
    } finally {
      giveLocal(tag);
    }
  };
}
