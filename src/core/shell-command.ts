/**
 * Which argument of a command is code that another program parses: the one place that decides
 * what a shell command is, for the deploy-time checks and the run-time rendering alike.
 */

/** Shells whose quoting orch speaks (POSIX sh and its relatives). */
const POSIX_SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "ash", "yash"]);

/** Options of those shells that take the next argument as their value. */
const SHELL_OPTIONS_WITH_VALUE = new Set(["-o", "+o", "-O", "+O", "--rcfile", "--init-file"]);

/**
 * Programs that run an argument as code in a language orch cannot quote for, and the options
 * that take that code. A placeholder there is refused rather than pasted in.
 */
const CODE_RUNNERS: [RegExp, Set<string>][] = [
  [/^(fish|csh|tcsh|nu|elvish|xonsh)$/, new Set(["-c", "--command"])],
  [/^(pwsh|powershell)(\.exe)?$/, new Set(["-c", "-command", "-Command"])],
  [/^python[\d.]*$/, new Set(["-c"])],
  [/^(node|bun)$/, new Set(["-e", "--eval", "-p", "--print"])],
  [/^perl[\d.]*$/, new Set(["-e", "-E"])],
  [/^ruby[\d.]*$/, new Set(["-e"])],
  [/^php[\d.]*$/, new Set(["-r"])],
];

/** Where a command hands text to an interpreter. */
export interface ScriptArgument {
  /** The argument's index in the command. */
  index: number;
  /** The program that parses it (`sh`, `python3`). */
  program: string;
  /** True for a POSIX shell script, whose quoting orch tracks; false for other languages. */
  shell: boolean;
}

function baseName(arg: string): string {
  return arg.slice(arg.lastIndexOf("/") + 1);
}

/**
 * The arguments of `argv` that a program runs as code: the script of `sh -c SCRIPT` (also `bash
 * -lc`, `sh -e -c`, `/bin/sh -c`, and a shell started by another program, as in `env X=1 sh -c`
 * or `timeout 5 bash -c`), and the code of `python3 -c`, `node -e` and the like.
 */
export function scriptArguments(argv: readonly string[]): ScriptArgument[] {
  const found: ScriptArgument[] = [];
  for (let k = 0; k < argv.length; k++) {
    const program = baseName(argv[k]!);
    if (POSIX_SHELLS.has(program)) {
      const script = shellScript(argv, k + 1);
      if (script !== -1) {
        // Everything after the script is the script's $0, $1...: plain arguments.
        found.push({ index: script, program, shell: true });
        return found;
      }
      continue;
    }
    const runner = CODE_RUNNERS.find(([name]) => name.test(program));
    if (runner) {
      const code = argv.findIndex((arg, i) => i > k && runner[1].has(arg));
      if (code !== -1 && code + 1 < argv.length) {
        found.push({ index: code + 1, program, shell: false });
        return found;
      }
    }
  }
  return found;
}

/**
 * The index of the script in a shell's arguments (from `from`, just after the shell's name):
 * the first operand after the options, when a `-c` (alone or in a group like `-ec`) came
 * before it; -1 when the shell runs a file or reads stdin instead.
 */
function shellScript(argv: readonly string[], from: number): number {
  let command = false;
  for (let i = from; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--" || arg === "-") return command && i + 1 < argv.length ? i + 1 : -1;
    if (SHELL_OPTIONS_WITH_VALUE.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith("--")) continue; // --login, --norc, --posix...
    if (/^[-+][A-Za-z]+$/.test(arg)) {
      if (arg[0] === "-" && arg.includes("c")) command = true;
      continue;
    }
    return command ? i : -1;
  }
  return -1;
}
