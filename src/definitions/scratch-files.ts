/**
 * An editor's scratch file, by its name: a backup (`etl.yaml~`), vim's swap (`.etl.yaml.swp`,
 * `.swo`, … `.swx`) and its write test (`4913`), emacs's auto-save (`#etl.yaml#`) and lock
 * (`.#etl.yaml`), JetBrains' safe-write copies, a `.tmp` file, and macOS's `.DS_Store`.
 */
const SCRATCH = /~$|^\.#|^#.*#$|\.sw[a-px]$|\.tmp$|^4913$|___jb_(?:tmp|old)___$|^\.DS_Store$/;

/**
 * Whether a file (its base name) is an editor's scratch file: never part of a bundle, and never a
 * change the watcher redeploys for, so opening or saving a definition unchanged (vim's swap file
 * beside it, emacs's backup) makes no new version.
 */
export function isScratchFile(name: string): boolean {
  return SCRATCH.test(name);
}
