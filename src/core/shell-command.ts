/**
 * Which argument of a command is code that another program parses: the one place that decides
 * it, for argv commands and for the simple commands inside a shell script alike, at deploy
 * time and at run time.
 */
import { CODE_RUNNERS, type CodeRunner } from "./code-runners.ts";

/** Shells whose quoting orch speaks (POSIX sh and its relatives). */
const POSIX_SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "ash", "yash"]);

/** Options of those shells that take the next argument as their value. */
const SHELL_OPTIONS_WITH_VALUE = new Set(["-o", "+o", "-O", "+O", "--rcfile", "--init-file"]);

/** Where a command hands text to an interpreter. */
export interface ScriptArgument {
  /** The argument's index in the command. */
  index: number;
  /** The program that parses it (`sh`, `python3`). */
  program: string;
  /** True for a POSIX shell script, whose quoting orch tracks; false for other code. */
  shell: boolean;
  /** What parses it, for messages: `python3 code`, `the command ssh runs on the remote host`. */
  what: string;
  /** What to write instead of a placeholder there. */
  advice: string;
}

function baseName(arg: string): string {
  return arg.slice(arg.lastIndexOf("/") + 1);
}

/**
 * The arguments of `argv` that a program runs as code: the script of `sh -c SCRIPT` (also `bash
 * -lc`, `sh -e -c`, `/bin/sh -c`, and a shell started by another program, as in `env X=1 sh -c`,
 * `timeout 5 bash -c` or `xargs sh -c`), and the code of `python3 -c`, `perl -pe`, `node
 * --eval=...`, `awk PROGRAM`, `sed SCRIPT`, `ssh HOST COMMAND...`, `eval ...` and the like (see
 * code-runners.ts). Why any word, not just the first: wrappers (`env`, `timeout`, `nice`,
 * `sudo`, `xargs`...) are many, and taking a word for a program by mistake only refuses more.
 */
export function scriptArguments(argv: readonly string[]): ScriptArgument[] {
  const found: ScriptArgument[] = [];
  for (let k = 0; k < argv.length; k++) {
    const program = baseName(argv[k]!);
    if (POSIX_SHELLS.has(program)) {
      const script = shellScript(argv, k + 1);
      if (script !== -1) {
        // Everything after the script is the script's $0, $1...: plain arguments.
        found.push({
          index: script,
          program,
          shell: true,
          what: `${program} code`,
          advice: `pass it as an argument after the script and read it there: ${program} -c 'echo "$1"' _ {{ parameters.NAME }}`,
        });
        return found;
      }
      continue;
    }
    const runner = CODE_RUNNERS.find((r) => r.name.test(program));
    if (!runner) continue;
    const code = runnerCode(runner, argv, k + 1);
    if (code.length) {
      const what = runner.what ?? `${program} code`;
      for (const index of code)
        found.push({ index, program, shell: false, what, advice: runner.advice });
      return found;
    }
  }
  return found;
}

/** The indexes of the arguments a code runner takes as code, reading its options from `from`. */
function runnerCode(runner: CodeRunner, argv: readonly string[], from: number): number[] {
  const code: number[] = [];
  const shortCode = runner.short ?? "";
  const shortValue = runner.shortValue ?? "";
  let operands = 0;
  let fileGiven = false;
  let options = true;
  for (let i = from; i < argv.length; i++) {
    const arg = argv[i]!;
    if (options && arg === "--") {
      options = false;
      continue;
    }
    if (options && arg.startsWith("--") && arg.length > 2) {
      const [name] = arg.split("=", 1) as [string];
      const inline = arg.includes("=");
      if (runner.long?.includes(name)) {
        if (inline) code.push(i);
        else if (i + 1 < argv.length) code.push(++i);
      } else if (runner.longFile?.includes(name)) {
        fileGiven = true;
        if (!inline) i++;
      } else if (runner.longValue?.includes(name) && !inline) i++;
      else if (runner.noCode?.includes(name)) return [];
      continue;
    }
    if (options && arg.length > 1 && (arg[0] === "-" || (runner.plus && arg[0] === "+"))) {
      // A group of short options (`-pe`, `-Ic`, `-ne`): letters until one that takes a value,
      // which is the rest of the argument or, at the end of the group, the next argument.
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        const last = j === arg.length - 1;
        if (runner.noCode?.includes(`-${letter}`)) return [];
        // `node -pe CODE` is -p and -e, `perl -eCODE` is code: code letters to the end are flags.
        const rest = arg.slice(j + 1);
        const flags = [...rest].every((l) => shortCode.includes(l));
        if (shortCode.includes(letter) && !last && flags) continue;
        if (shortCode.includes(letter)) {
          if (!last) code.push(i);
          else if (i + 1 < argv.length) code.push(++i);
          break;
        }
        if (runner.shortFile?.includes(letter)) fileGiven = true;
        if (shortValue.includes(letter) || runner.shortFile?.includes(letter)) {
          if (last) i++;
          break;
        }
        if (runner.shortAttached?.includes(letter)) break;
      }
      continue;
    }
    // An operand.
    operands++;
    if (runner.operands === "first" && operands === 1 && !fileGiven && code.length === 0) {
      code.push(i);
      break;
    }
    if (runner.operands === "after-first" && operands > 1) code.push(i);
    else if (runner.operands === "all") code.push(i);
    else if (runner.operands === "subcommand" && operands === 1) {
      if (!runner.subcommands?.includes(arg)) break;
    } else if (runner.operands === "subcommand" && operands === 2) {
      code.push(i);
      break;
    } else if (!runner.operands && !runner.optionsAnywhere) break;
    else if (runner.operands === "first") break;
  }
  return code;
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
