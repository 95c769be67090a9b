import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The argv that starts orch itself: the executable alone when compiled, or the Bun running us
 * plus src/main.ts when running from source (`bun src/main.ts`). TypeScript flows run through it.
 */
export function selfCommand(): string[] {
  const here = import.meta.url;
  // A compiled executable serves its modules from an embedded file system ($bunfs, or ~BUN on Windows).
  if (here.includes("$bunfs") || here.includes("~BUN")) {
    // An executable replaced while it runs (an upgrade) still starts its own image on Linux.
    if (process.platform === "linux" && !existsSync(process.execPath)) return ["/proc/self/exe"];
    return [process.execPath];
  }
  return [process.execPath, fileURLToPath(new URL("../main.ts", here))];
}
