/**
 * Where bash reads text as arithmetic outside $(( )) and (( )), and so runs the `$(cmd)` of an
 * array subscript found in a value: `[[ a -eq b ]]` (and `-v`), `let`, `declare -i`, subscripts,
 * `$[ ]` and `${s:offset:length}`.
 */
const ARITHMETIC: [RegExp, (m: RegExpExecArray) => boolean][] = [
  [/\[\[[\s\S]*?\]\]/g, (m) => /\s-(eq|ne|lt|le|gt|ge|v)\s/.test(m[0])],
  [/(?:^|[\s;&|(])let\s[^\n;&|]*/g, () => true],
  [
    /(?:^|[\s;&|(])(?:declare|typeset|local|export|readonly)((?:\s+[-+]\w+)*)\s[^\n;&|]*/g,
    (m) => /-\w*i/.test(m[1] ?? ""),
  ],
  [/\$\{[#!]?[A-Za-z_]\w*\[[^\]]*\]/g, () => true],
  [/(?:^|[\s;&|(])[A-Za-z_]\w*\[[^\]]*\]\+?=/g, () => true],
  [/\$\[[^\]]*\]/g, () => true],
  [/\$\{(?:[A-Za-z_]\w*|[@*\d]):(?![-=?+])[^}]*/g, () => true], // ${s:offset:length}
];

/**
 * The spans of a script that bash may evaluate as arithmetic, [start, end) offsets. Found by
 * pattern rather than by parsing, erring toward asking for a number where text would have done.
 */
export function arithmeticRanges(script: string): [number, number][] {
  const ranges: [number, number][] = [];
  for (const [pattern, applies] of ARITHMETIC) {
    for (const m of script.matchAll(pattern)) {
      if (applies(m as RegExpExecArray)) ranges.push([m.index, m.index + m[0].length]);
    }
  }
  return ranges;
}
