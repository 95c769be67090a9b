/**
 * The name cases the CLI's command library converts option names to (camelCase, kebab-case),
 * with a fast path for names as orch writes them: lower-case words joined by "-"
 * (`max-concurrency`, `json`). Why: the library converts every option's name twice as a command
 * parses its arguments, and again on every read of an option that was not given, with a splitter
 * that looks at one character at a time through a regular expression: about 1.5 ms of each start
 * of `orch runs ls` (`npm run bench -- --only startup`). The build puts these in the library's
 * place (scripts/build-options.ts); a test holds them to the library's own answers.
 */

type Case = (name: string, option?: never) => string;

/** Lower-case words joined by "-", the only names the fast path takes. */
const PLAIN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** `slow` camelCase with the fast path for plain names. */
export function fastCamelCase(slow: Case): Case {
  return (name, option) =>
    typeof name === "string" && PLAIN.test(name)
      ? name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())
      : slow(name, option);
}

/** `slow` kebab-case with the fast path for plain names (already kebab-case). */
export function fastKebabCase(slow: Case): Case {
  return (name, joiner) =>
    typeof name === "string" && joiner === undefined && PLAIN.test(name)
      ? name
      : slow(name, joiner);
}
