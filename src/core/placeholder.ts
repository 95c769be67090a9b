/** A `{{ ... }}` placeholder of a command: what it names, where it is, and how it is filled. */

/**
 * How a placeholder's value goes into its argument:
 * - `argv`: the text itself; the argument is never parsed by a shell.
 * - `unquoted`, `double`, `single`, `ansi`, `heredoc`: the placeholder sits in a shell script, in
 *   that quoting context (`$'...'` is `ansi`; a here-document's body is `heredoc`); the value
 *   goes in the environment and the script gets a quoted reference to it.
 */
export type PlaceholderQuoting = "argv" | "unquoted" | "double" | "single" | "ansi" | "heredoc";

/** One `{{ ... }}` in a command, with where it is and how it can be filled. */
export interface CommandPlaceholder {
  /** The argument it is in. */
  arg: number;
  /** Where it starts and ends in that argument. */
  start: number;
  end: number;
  /** The text between the braces, trimmed: `parameters.db.host`. */
  path: string;
  /** The parameter's keys (`["db", "host"]`) when the path names a parameter. */
  keys?: string[];
  /** What of the run it names, for `{{ run.scheduled_at }}` (the time the run is for). */
  run?: RunField;
  quoting: PlaceholderQuoting;
  /**
   * The value must be a number: the placeholder sits where bash evaluates text as arithmetic
   * (`$(( ))`, `(( ))`, `[[ a -eq b ]]`, `let`, `declare -i`, an array subscript,
   * `${s:offset}`), and bash runs the code it finds in such a value (`a[$(cmd)]`), quoted or not.
   */
  numeric?: boolean;
  /** Why it cannot be filled safely, when it cannot; says what to write instead. */
  problem?: string;
}

/** What of the run a placeholder may name, and the variable that carries it into scripts. */
export const RUN_FIELDS = { scheduled_at: "ORCH_SCHEDULED_AT" } as const;
export type RunField = keyof typeof RUN_FIELDS;
