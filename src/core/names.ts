/** What a name in a definition (a work pool, a queue) may hold: one rule for files and flags. */
export const NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]*$";

/** Why a name was refused, after the name itself. */
export const NAME_MESSAGE =
  'must start with a letter or digit and hold only letters, digits, ".", "_" and "-"';

/** Whether `name` is a valid work pool (or queue) name. */
export function isValidName(name: string): boolean {
  return new RegExp(NAME_PATTERN).test(name);
}
