/** What a masked value is replaced with. */
export const MASK = "****";

/**
 * Values shorter than this are not masked: a one- or two-letter secret would turn every word
 * that holds those letters into stars and make the logs unreadable, while hiding nothing.
 */
export const MIN_MASKED_LENGTH = 3;

/** Replaces secret values in text with `****`. */
export type Masker = (text: string) => string;

/**
 * A masker for `values` (a run's secrets and the API token). Each line of a multi-line value is
 * masked on its own too, since output is stored line by line. Longer values are replaced first,
 * so a secret that contains another is hidden whole. With nothing to hide it returns its input.
 */
export function createMasker(values: Iterable<string | undefined | null>): Masker {
  const given = [...values].filter((v): v is string => Boolean(v));
  // Every attempt of a worker asks for the same one (its token, no secrets): made once.
  const key = given.join("\0");
  if (lastMasker?.key === key) return lastMasker.masker;
  const masker = buildMasker(given);
  lastMasker = { key, masker };
  return masker;
}

let lastMasker: { key: string; masker: Masker } | null = null;

function buildMasker(values: string[]): Masker {
  const pieces = new Set<string>();
  for (const value of values) {
    if (!value) continue;
    for (const piece of [value, ...value.split(/\r?\n/)]) {
      const trimmed = piece.trim();
      if (trimmed.length >= MIN_MASKED_LENGTH) pieces.add(trimmed);
    }
  }
  if (!pieces.size) return (text) => text;
  const sorted = [...pieces].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(sorted.map(escapeRegExp).join("|"), "g");
  return (text) => (text ? text.replace(pattern, MASK) : text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
