/** A shell word, with a `{{ ... }}` placeholder (spaces and all) as part of it. */
const WORD = String.raw`(?:\{\{[^{}]*\}\}|"[^"]*"|'[^']*'|[^\s;&|<>])+`;
const START = String.raw`(?:^|[\s;&|(!])`;

type Span = [number, number];

/** The spans of match m (found at m.index) that bash reads as arithmetic or a variable name. */
type Reading = (m: RegExpExecArray) => boolean | Span[];

/**
 * The words of a declare-like statement whose text bash may read as a name (and so evaluate a
 * subscript in): all of them with -a, -A, -i or -n; else every word but the value after a
 * literal `NAME=` (`local x={{ parameters.v }}` assigns text). Why words: `declare "$v"` with
 * v=`a[$(cmd)]=1` runs cmd.
 */
function declared(m: RegExpExecArray): boolean | Span[] {
  if (/-\w*[aAin]/.test(m[1] ?? "")) return true;
  const from = m.index + m[0].length - (m[2] ?? "").length;
  const spans: Span[] = [];
  for (const w of (m[2] ?? "").matchAll(new RegExp(WORD, "g"))) {
    if (/^[A-Za-z_]\w*(\[[^\]]*\])?\+?=/.test(w[0])) continue;
    spans.push([from + w.index, from + w.index + w[0].length]);
  }
  return spans;
}

/**
 * Where bash reads text as arithmetic outside $(( )) and (( )), or as a variable name, and so
 * runs the `$(cmd)` of an array subscript found in a value: `[[ a -eq b ]]` (and `-v`), `let`,
 * `declare` (see declared), subscripts (also `arr=([i]=v)`), `$[ ]`, `${s:offset:length}`,
 * `printf -v NAME`, `read NAME`, `unset NAME` and `[ -v NAME ]` / `test -v NAME`.
 */
const ARITHMETIC: [RegExp, Reading][] = [
  [/\[\[[\s\S]*?\]\]/g, (m) => /\s-(eq|ne|lt|le|gt|ge|v)\s/.test(m[0])],
  [/(?:^|[\s;&|(])let\s[^\n;&|]*/g, () => true],
  [
    new RegExp(
      `${START}(?:declare|typeset|local|export|readonly)((?:\\s+[-+]\\w+)*)\\s((?:[^\\n;&|<>])*)`,
      "g",
    ),
    declared,
  ],
  [/\$\{[#!]?[A-Za-z_]\w*\[[^\]]*\]/g, () => true],
  [/(?:^|[\s;&|(])[A-Za-z_]\w*\[[^\]]*\]\+?=/g, () => true],
  [
    /(?:^|[\s;&|(])[A-Za-z_]\w*\+?=\([^)]*\)/g,
    (m) =>
      [...m[0].matchAll(/\[[^\]]*\]=/g)].map((s) => [
        m.index + s.index,
        m.index + s.index + s[0].length,
      ]),
  ],
  [/\$\[[^\]]*\]/g, () => true],
  [/\$\{(?:[A-Za-z_]\w*|[@*\d]):(?![-=?+])[^}]*/g, () => true], // ${s:offset:length}
  [new RegExp(`${START}printf(?:\\s+-[^\\s;&|v]*)*\\s+-v\\s*${WORD}`, "g"), () => true],
  [new RegExp(`${START}(?:read|unset)\\s[^\\n;&|<>]*`, "g"), () => true],
  [new RegExp(`${START}(?:\\[|test)\\s+(?:!\\s+)?-v\\s+${WORD}`, "g"), () => true],
];

/**
 * The spans of a script that bash may evaluate as arithmetic, [start, end) offsets. Found by
 * pattern rather than by parsing, erring toward asking for a number where text would have done.
 */
export function arithmeticRanges(script: string): Span[] {
  const ranges: Span[] = [];
  for (const [pattern, reading] of ARITHMETIC) {
    for (const m of script.matchAll(pattern)) {
      const spans = reading(m as RegExpExecArray);
      if (spans === true) ranges.push([m.index, m.index + m[0].length]);
      else if (spans) ranges.push(...spans);
    }
  }
  return ranges;
}
