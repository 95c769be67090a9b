/** The candidate closest to `word` (edit distance at most 2, or a prefix), for "did you mean". */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    // Lengths this far apart are at least this distance, and a prefix counts its length's
    // difference: the candidate cannot win. Why skip early: "did you mean" of a name among
    // thousands of deployments answered each unknown name in tens of milliseconds.
    const apart = Math.abs(candidate.length - word.length);
    if (apart >= bestDistance) continue;
    if (candidate.startsWith(word) || word.startsWith(candidate)) {
      best = candidate;
      bestDistance = apart;
      continue;
    }
    const d = distance(lower, candidate.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** The edit distance of `a` and `b`, or `limit` once it is sure to be at least that. */
function distance(a: string, b: string, limit: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let least = i;
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        prev[j]! + 1,
        row[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      least = Math.min(least, row[j]!);
    }
    // Every later row is at least this row's least value.
    if (least >= limit) return limit;
    prev = row;
  }
  return prev[b.length]!;
}
