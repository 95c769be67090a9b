import { copyFileSync, existsSync, mkdirSync, renameSync, statSync, unlinkSync } from "node:fs";
import { basename, extname, join } from "node:path";

/**
 * Move a handled file into its done folder (made when missing). A file of the same name there is
 * kept: the new one gets its hash's first characters before its extension. Across file systems
 * (a done folder on another disk) the file is copied, then removed.
 */
export function moveDone(path: string, doneFolder: string, sha256: string): string {
  mkdirSync(doneFolder, { recursive: true });
  const name = basename(path);
  let target = join(doneFolder, name);
  if (existsSync(target)) {
    const ext = extname(name);
    target = join(
      doneFolder,
      `${name.slice(0, name.length - ext.length)}-${sha256.slice(0, 8)}${ext}`,
    );
  }
  try {
    renameSync(path, target);
  } catch (error) {
    if ((error as { code?: string }).code !== "EXDEV") throw error;
    copyFileSync(path, target);
    if (statSync(target).size === statSync(path).size) unlinkSync(path);
  }
  return target;
}
