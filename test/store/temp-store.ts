import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { openStore, type Store } from "../../src/store/index.ts";
import { tempDir } from "../helpers.ts";

/**
 * A store of its own for each test of the file, in a temporary folder removed after it:
 * `const store = storeForEachTest();`, then `store()` inside a test.
 */
export function storeForEachTest(): () => Store {
  let store: Store | null = null;
  let cleanup = () => {};
  beforeEach(() => {
    const t = tempDir();
    cleanup = t.cleanup;
    store = openStore(join(t.dir, "orch.db"));
  });
  afterEach(() => {
    store?.close();
    store = null;
    cleanup();
  });
  return () => {
    if (!store) throw new Error("storeForEachTest(): the store exists only inside a test");
    return store;
  };
}
