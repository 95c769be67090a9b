/** The reasons behind the file-system errors a user can cause, said in words. */
const REASONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EEXIST: "it already exists",
  EACCES: "permission denied",
  EPERM: "not permitted",
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "it is a folder",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  ENAMETOOLONG: "the name is too long",
};

/** Whether a thrown value is an operating-system error (`ENOENT`, `EACCES`...), not a bug. */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === "string" &&
    /^E[A-Z]+$/.test((error as NodeJS.ErrnoException).code!)
  );
}

/** Why a file-system call failed, in words ("permission denied"), without its stack or syscall. */
export function fsReason(error: unknown): string {
  if (isSystemError(error)) return REASONS[error.code!] ?? error.code!.toLowerCase();
  return error instanceof Error ? error.message : String(error);
}
