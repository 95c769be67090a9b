import { OrchError } from "../core/errors.ts";

/**
 * The whole number an option was given, or `fallback` when it was not; anything else (`abc`,
 * `2.5`, out of range) is bad input that names the option, the range and what was given.
 */
export function wholeNumberArg<F extends number | undefined>(
  value: string | undefined,
  option: string,
  range: { min: number; max?: number },
  fallback: F,
): number | F {
  if (value === undefined) return fallback;
  const n = Number(value);
  const { min, max } = range;
  if (value.trim() === "" || !Number.isInteger(n) || n < min || (max !== undefined && n > max)) {
    const wanted = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new OrchError(
      "E_BAD_INPUT",
      `${option} must be a whole number ${wanted}, not ${JSON.stringify(value)}`,
    );
  }
  return n;
}
