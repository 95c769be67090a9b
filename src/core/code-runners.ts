/**
 * Programs that run one of their arguments as code in a language orch cannot quote for (or
 * hand it to a shell orch does not control), and how to find that argument. A placeholder there
 * is refused, with what to write instead.
 */

/** How one program takes code from its arguments. */
export interface CodeRunner {
  /** The program's name (the last part of its path). */
  name: RegExp;
  /** Short option letters whose value is code (`e` for `-e CODE`, `-pe CODE`, `-eCODE`). */
  short?: string;
  /** Long options whose value is code (`--eval CODE`, `--eval=CODE`). */
  long?: string[];
  /** Short option letters that take a value that is not code (the rest of the group, or the next argument). */
  shortValue?: string;
  /** Short option letters whose value can only be attached (`-i.bak`). */
  shortAttached?: string;
  /** Long options that take the next argument as a value that is not code. */
  longValue?: string[];
  /** Short option letters and long options naming a file of code: then no operand is code. */
  shortFile?: string;
  longFile?: string[];
  /** Options after which no argument is code (`watch -x`). */
  noCode?: string[];
  /** Which operands are code: the first (`awk PROGRAM`), all but the first (`ssh HOST CMD`), all, or the one after a subcommand (`deno eval CODE`). */
  operands?: "first" | "after-first" | "all" | "subcommand";
  subcommands?: string[];
  /** Options may follow operands (`su USER -c CMD`), so reading does not stop at the first operand. */
  optionsAnywhere?: boolean;
  /** `+x` is an option too. */
  plus?: boolean;
  /** What parses the code, for messages; `<program> code` when not given. */
  what?: string;
  /** What to write instead. */
  advice: string;
}

const AS_ARGUMENT =
  "pass it as a separate argument after the code and read it there (sys.argv, process.argv...)";

/** Every program orch knows to run an argument as code. */
export const CODE_RUNNERS: CodeRunner[] = [
  {
    name: /^(fish|csh|tcsh|nu|elvish|xonsh)$/,
    short: "c",
    long: ["--command"],
    advice: AS_ARGUMENT,
  },
  {
    name: /^(pwsh|powershell)(\.exe)?$/,
    long: ["-c", "-command", "-Command", "--command"],
    short: "c",
    advice: AS_ARGUMENT,
  },
  {
    name: /^python[\d.]*$/,
    short: "c",
    shortValue: "WXm",
    advice: AS_ARGUMENT,
  },
  {
    name: /^(node|bun|nodejs)$/,
    short: "ep",
    long: ["--eval", "--print"],
    shortValue: "rC",
    longValue: [
      "--require",
      "--import",
      "--loader",
      "--experimental-loader",
      "--conditions",
      "--input-type",
      "--env-file",
    ],
    advice: AS_ARGUMENT,
  },
  {
    name: /^deno$/,
    operands: "subcommand",
    subcommands: ["eval"],
    advice: "pass it as a separate argument after the code and read it there (Deno.args)",
  },
  {
    name: /^perl[\d.]*$/,
    short: "eE",
    shortAttached: "MmIiCdDxF",
    advice: "pass it as a separate argument after the code and read it there (@ARGV)",
  },
  {
    name: /^ruby[\d.]*$/,
    short: "e",
    shortValue: "IrCE",
    shortAttached: "ix0FKTW",
    advice: "pass it as a separate argument after the code and read it there (ARGV)",
  },
  { name: /^php[\d.]*$/, short: "r", shortValue: "cdz", advice: AS_ARGUMENT },
  {
    name: /^(lua|luajit)[\d.]*$/,
    short: "e",
    shortValue: "l",
    advice: "pass it as a separate argument after the code and read it there (arg)",
  },
  {
    name: /^Rscript$/,
    short: "e",
    advice: "pass it as a separate argument after the code and read it there (commandArgs(TRUE))",
  },
  {
    name: /^osascript$/,
    short: "e",
    shortValue: "sl",
    advice: "pass it as a separate argument after the code and read it there (on run argv)",
  },
  {
    name: /^(awk|gawk|mawk|nawk|busybox-awk)$/,
    operands: "first",
    shortValue: "vFW",
    longValue: ["--assign", "--field-separator"],
    short: "e",
    long: ["--source"],
    shortFile: "fi",
    longFile: ["--file", "--include"],
    what: "an awk program",
    advice:
      "pass it as data: awk -v x={{ parameters.NAME }} '{ print x }' (a -v value is a string, whose backslash escapes awk reads, never code)",
  },
  {
    name: /^(sed|gsed)$/,
    operands: "first",
    short: "e",
    long: ["--expression"],
    shortValue: "l",
    shortAttached: "iE",
    shortFile: "f",
    longFile: ["--file"],
    what: "a sed script (sed's e command and s///e flag run shell commands)",
    advice:
      "keep sed scripts fixed, and pass the value as data to a program that takes it as one (awk -v x={{ parameters.NAME }}, or a python3 -c script reading sys.argv)",
  },
  {
    name: /^(ssh|autossh)$/,
    operands: "after-first",
    shortValue: "BbcDEeFIiJLlmOoPpQRSWw",
    what: "the command ssh hands to the remote shell",
    advice:
      "run a fixed command on the remote host and send the value another way (standard input, a file)",
  },
  {
    name: /^(su|runuser)$/,
    short: "c",
    long: ["--command", "--session-command"],
    shortValue: "sgGuw",
    longValue: ["--shell", "--group", "--supp-group", "--user", "--whitelist-environment"],
    optionsAnywhere: true,
    what: "the command line su -c hands to a shell",
    advice:
      "run the program and its arguments as separate words: runuser -u USER -- PROGRAM {{ parameters.NAME }} (or sudo -u USER PROGRAM ...)",
  },
  {
    name: /^flock$/,
    short: "c",
    long: ["--command"],
    shortValue: "wE",
    longValue: ["--timeout", "--wait", "--conflict-exit-code"],
    optionsAnywhere: true,
    what: "the command line flock -c hands to a shell",
    advice:
      "give the command and its arguments as separate words: flock FILE PROGRAM {{ parameters.NAME }}",
  },
  {
    name: /^watch$/,
    operands: "all",
    shortValue: "nqd",
    longValue: ["--interval", "--differences"],
    noCode: ["-x", "--exec"],
    what: "the command line watch hands to a shell",
    advice: "use watch -x PROGRAM {{ parameters.NAME }}, which runs the program without a shell",
  },
  {
    name: /^env$/,
    short: "S",
    long: ["--split-string"],
    shortValue: "uC",
    longValue: ["--unset", "--chdir"],
    what: "the string env -S splits (and expands variables in)",
    advice: "give the program and its arguments as separate words instead of -S",
  },
  {
    name: /^eval$/,
    operands: "all",
    what: "what eval runs",
    advice: "do not eval a value: use it directly, quoted",
  },
  {
    name: /^trap$/,
    operands: "first",
    what: "the command trap runs",
    advice: "keep the trap's command fixed and let it read the value from a variable set before",
  },
];
