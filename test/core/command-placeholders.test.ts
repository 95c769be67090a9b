// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell syntax in strings is what these tests are about
import { describe, expect, test } from "vitest";
import { commandPlaceholders, scriptArguments } from "../../src/core/index.ts";
import { renderCommand } from "../../src/worker/index.ts";

const where = (argv: string[]) =>
  commandPlaceholders(argv).map((p) => p.problem ?? `${p.arg}:${p.quoting}:${p.path}`);

describe("scriptArguments: which argument a shell or an interpreter runs as code", () => {
  test.each([
    [["sh", "-c", "s"], 2],
    [["/bin/bash", "-lc", "s", "name", "arg"], 2],
    [["bash", "-e", "-o", "pipefail", "-c", "s"], 5],
    [["dash", "-c", "-x", "s"], 3],
    [["env", "A=1", "sh", "-ec", "s"], 4],
    [["timeout", "5", "bash", "--norc", "-c", "s"], 5],
    [["python3", "-c", "code", "arg"], 2],
    [["node", "--eval", "code"], 2],
    // Short options grouped with the code letter, and the --long=CODE forms.
    [["perl", "-pe", "code"], 2],
    [["perl", "-ne", "code", "file"], 2],
    [["perl", "-i.bak", "-Mstrict", "-lne", "code"], 4],
    [["perl", "-ecode"], 1],
    [["ruby", "-ne", "code"], 2],
    [["node", "-pe", "code"], 2],
    [["node", "-r", "dotenv/config", "-e", "code"], 4],
    [["node", "--eval=code"], 1],
    [["python3", "-Ic", "code"], 2],
    [["python3", "-W", "ignore", "-c", "code"], 4],
    [["fish", "--command=code"], 1],
    // Programs whose first operand, or some other argument, is code.
    [["awk", "-F", ":", "-v", "x=1", "program", "file"], 5],
    [["gawk", "--assign=x=1", "program"], 2],
    [["mawk", "program"], 1],
    [["sed", "-n", "script", "file"], 2],
    [["sed", "-ne", "script", "file"], 2],
    [["sed", "--expression=script", "file"], 1],
    [["sed", "-i", "script", "file"], 2],
    [["su", "-", "user", "-c", "code"], 4],
    [["su", "--command=code", "user"], 1],
    [["flock", "/tmp/lock", "-c", "code"], 3],
    [["env", "-S", "code"], 2],
    [["env", "--split-string=code"], 1],
    [["lua", "-e", "code"], 2],
    [["Rscript", "-e", "code"], 2],
    [["deno", "eval", "code"], 2],
    [["osascript", "-e", "code"], 2],
    [["trap", "code", "EXIT"], 1],
    [["xargs", "-0", "sh", "-c", "code"], 4],
  ])("%j: argument %d", (argv, index) => {
    expect(scriptArguments(argv).map((s) => s.index)).toEqual([index]);
  });

  test.each([
    [
      ["ssh", "-p", "22", "-o", "BatchMode=yes", "host", "cmd", "arg"],
      [6, 7],
    ],
    [
      ["watch", "-n", "1", "cmd", "arg"],
      [3, 4],
    ],
    [
      ["eval", "a", "b"],
      [1, 2],
    ],
  ])("%j: arguments %j", (argv, indexes) => {
    expect(scriptArguments(argv).map((s) => s.index)).toEqual(indexes);
  });

  test.each([
    [["awk", "-f", "prog.awk", "file"]],
    [["gawk", "--file=prog.awk", "file"]],
    [["sed", "-f", "script.sed", "file"]],
    [["flock", "/tmp/lock", "prog", "arg"]],
    [["watch", "-x", "prog", "arg"]],
    [["ssh", "host"]],
    [["perl", "script.pl", "-e"]],
    [["deno", "run", "main.ts"]],
    [["env", "-u", "X", "prog"]],
  ])("%j runs no code given in an argument", (argv) => {
    expect(scriptArguments(argv)).toEqual([]);
  });

  test("a placeholder in such code is refused, saying what to write instead", () => {
    expect(where(["perl", "-pe", "s/a/{{ parameters.x }}/"])).toEqual([
      "{{ parameters.x }} is inside perl code, where its value would run as code; pass it as a separate argument after the code and read it there (@ARGV)",
    ]);
    expect(where(["awk", '{ print "{{ parameters.x }}" }'])[0]).toContain(
      "awk -v x={{ parameters.NAME }}",
    );
    expect(where(["awk", "-v", "x={{ parameters.x }}", "{ print x }"])).toEqual([
      "2:argv:parameters.x",
    ]);
    expect(where(["sed", "s/a/{{ parameters.x }}/"])[0]).toContain("inside a sed script");
    expect(where(["ssh", "host", "echo", "{{ parameters.x }}"])[0]).toContain(
      "inside the command ssh hands to the remote shell",
    );
    expect(where(["watch", "-x", "echo", "{{ parameters.x }}"])).toEqual(["3:argv:parameters.x"]);
  });

  test.each([
    [["sh", "script.sh", "-c"]],
    [["bash"]],
    [["echo", "-c", "x"]],
    [["sh", "-x", "file"]],
  ])("%j runs no code given in an argument", (argv) => {
    expect(scriptArguments(argv)).toEqual([]);
  });
});

describe("commandPlaceholders: the quoting context at each placeholder of a shell script", () => {
  test("plain arguments, and the arguments after a script, are argv", () => {
    expect(
      where(["sh", "-c", 'echo "$1"', "name", "{{ parameters.a }}", "x{{ parameters.b.c }}"]),
    ).toEqual(["4:argv:parameters.a", "5:argv:parameters.b.c"]);
  });

  test("unquoted, double quotes, single quotes, $'...', $( ) and here-documents", () => {
    const script = [
      "echo {{ parameters.a }} \"x {{ parameters.b }}\" 'y {{ parameters.c }}' $'\\t{{ parameters.d }}'",
      "# it's a comment {{ parameters.e }}",
      'echo "$(printf %s {{ parameters.f }})" $(echo "{{ parameters.g }}")',
      "cat <<EOF; cat <<-'END'",
      'body {{ parameters.h }} "quotes are text here" $(echo {{ parameters.i }})',
      "EOF",
      "\tliteral body",
      "\tEND",
      "echo {{ parameters.j }}",
    ].join("\n");
    expect(where(["bash", "-c", script])).toEqual([
      "2:unquoted:parameters.a",
      "2:double:parameters.b",
      "2:single:parameters.c",
      "2:ansi:parameters.d",
      "2:unquoted:parameters.e",
      "2:unquoted:parameters.f",
      "2:double:parameters.g",
      "2:heredoc:parameters.h",
      "2:unquoted:parameters.i",
      "2:unquoted:parameters.j",
    ]);
  });

  test("places where no quoting keeps a value from running are refused, saying what to do", () => {
    expect(
      where([
        "bash",
        "-c",
        "echo `echo {{ parameters.a }}` \\{{ parameters.c }}\ncat <<'EOF'\n{{ parameters.d }}\nEOF\n",
      ]),
    ).toEqual([
      "{{ parameters.a }} is inside backticks, whose quoting cannot be kept; use $( ) instead",
      "{{ parameters.c }} follows a backslash, which would escape the quoting of its value; remove the backslash",
      "{{ parameters.d }} is in a quoted here-document (<<'EOF'), where nothing is expanded; use an unquoted one (<<EOF)",
    ]);
    expect(where(["python3", "-c", "print('{{ parameters.a }}')", "{{ parameters.b }}"])).toEqual([
      "{{ parameters.a }} is inside python3 code, where its value would run as code; pass it as a separate argument after the code and read it there (sys.argv, process.argv...)",
      "3:argv:parameters.b",
    ]);
    expect(where(["echo", "{{ event.payload.ref }}", "{{ parameters }}"])).toEqual([
      "{{ event.payload.ref }} cannot be filled: only {{ parameters.NAME }} and {{ run.scheduled_at }} can",
      "{{ parameters }} cannot be filled: only {{ parameters.NAME }} and {{ run.scheduled_at }} can",
    ]);
  });
});

test("where bash evaluates arithmetic, a placeholder asks for a number", () => {
  const numeric = (script: string) =>
    commandPlaceholders(["bash", "-c", script]).map((p) => `${p.path}${p.numeric ? " #" : ""}`);
  expect(
    numeric(
      [
        'echo $(( {{ parameters.a }} + 1 )) "$(( {{ parameters.b }} ))"',
        '(( {{ parameters.c }} > 2 )) && [[ "{{ parameters.d }}" -eq 1 ]]',
        "let n={{ parameters.e }}; declare -i m={{ parameters.f }}",
        'a=(1 2); echo "${a[{{ parameters.g }}]}"; a[{{ parameters.h }}]=3',
        'echo "${s:{{ parameters.i }}}" $[ {{ parameters.j }} ]',
        '[[ "{{ parameters.k }}" == x ]]; echo "${s:-{{ parameters.l }}}"; declare -r o={{ parameters.m }}',
      ].join("\n"),
    ),
  ).toEqual([
    ..."abcdefghij".split("").map((k) => `parameters.${k} #`),
    "parameters.k",
    "parameters.l",
    "parameters.m",
  ]);
});

describe("renderCommand", () => {
  test("a shell script gets quoted references; the values go in ORCH_PARAM_* variables", () => {
    const out = renderCommand(
      [
        "sh",
        "-c",
        "echo {{ parameters.name }} \"{{ parameters.db.host }}\" '{{ parameters.n }}'",
        "{{ parameters.name }}",
      ],
      { name: "$(id)", db: { host: "h" }, n: 5 },
    );
    expect(out).toEqual({
      argv: [
        "sh",
        "-c",
        `echo "\${ORCH_PARAM_name}" "\${ORCH_PARAM_db__host}" ''"\${ORCH_PARAM_n}"''`,
        "$(id)",
      ],
      // Every top-level parameter is there too, the object as JSON.
      env: {
        ORCH_PARAM_name: "$(id)",
        ORCH_PARAM_db__host: "h",
        ORCH_PARAM_n: "5",
        ORCH_PARAM_db: '{"host":"h"}',
      },
    });
  });

  test("a parameter no placeholder names is in ORCH_PARAM_* all the same", () => {
    const out = renderCommand(["sh", "-c", 'echo "$ORCH_PARAM_run"'], {
      run: "2eac58a7",
      limit: 5,
      bad: "a\0b",
    });
    expect(out.env).toEqual({ ORCH_PARAM_run: "2eac58a7", ORCH_PARAM_limit: "5" });
  });

  test("two paths that map to one variable name get two variables", () => {
    const out = renderCommand(["sh", "-c", "echo {{ parameters.a-b }} {{ parameters.a_b }}"], {
      "a-b": "1",
      a_b: "2",
    });
    expect(out.env).toEqual({ ORCH_PARAM_a_b: "1", ORCH_PARAM_a_b_2: "2" });
  });

  test("a missing parameter, a NUL or a refused place is an error that says which", () => {
    expect(() => renderCommand(["echo", "{{ parameters.x }}"], {})).toThrow(
      "command argument 1 uses {{ parameters.x }}, but the run has no parameter x",
    );
    expect(() => renderCommand(["echo", "{{ parameters.x }}"], { x: "a\0b" })).toThrow(
      "holds a NUL character",
    );
    expect(() => renderCommand(["sh", "-c", "echo `{{ parameters.x }}`"], { x: "1" })).toThrow(
      "command argument 2: {{ parameters.x }} is inside backticks",
    );
    expect(() =>
      renderCommand(["bash", "-c", "[[ {{ parameters.x }} -gt 1 ]]"], { x: "a[$(id)]" }),
    ).toThrow(
      'where bash evaluates it as arithmetic, which runs code found in text; it must be a number, not "a[$(id)]"',
    );
    expect(renderCommand(["bash", "-c", "echo $(( {{ parameters.x }} ))"], { x: 2 }).argv[2]).toBe(
      "echo $(( ${ORCH_PARAM_x} ))",
    );
  });
});

describe("a shell script's own commands: code they run is refused, as in an argv command", () => {
  const script = (text: string) => where(["sh", "-c", text]);
  test.each([
    [`python3 -c "print('{{ parameters.x }}')"`, "inside python3 code, which the shell builds"],
    [`awk '{print "{{ parameters.x }}"}' file`, "inside an awk program"],
    [`bash -c 'echo {{ parameters.x }}'`, "inside bash code"],
    [`eval "echo {{ parameters.x }}"`, "inside what eval runs"],
    [`x=1; perl -pe "s/a/{{ parameters.x }}/" f`, "inside perl code"],
    [`python3 -c "$(echo {{ parameters.x }})"`, "inside python3 code"],
    [`ssh host "ls {{ parameters.x }}"`, "inside the command ssh hands to the remote shell"],
    [`echo ok | xargs sh -c 'echo {{ parameters.x }}'`, "inside sh code"],
    [`if true; then\n  node -pe "'{{ parameters.x }}'"\nfi`, "inside node code"],
  ])("%s", (text, problem) => {
    expect(script(text)).toEqual([expect.stringContaining(problem)]);
  });

  test("data beside code, and commands after a here-document, are read as before", () => {
    expect(
      script(
        [
          `python3 -c 'import sys; print(sys.argv[1])' {{ parameters.a }}`,
          `echo "{{ parameters.b }}" | python3 -c 'import sys; print(sys.stdin.read())'`,
          `awk -v x={{ parameters.c }} '{ print x }' file`,
          "cat <<EOF",
          "{{ parameters.d }}",
          "EOF",
          `python3 -c "print('{{ parameters.e }}')"`,
        ].join("\n"),
      ),
    ).toEqual([
      "2:unquoted:parameters.a",
      "2:double:parameters.b",
      "2:unquoted:parameters.c",
      "2:heredoc:parameters.d",
      expect.stringContaining("{{ parameters.e }} is inside python3 code"),
    ]);
  });
});

test("where bash reads a value as a variable name, a placeholder asks for a number", () => {
  const numeric = (script: string) =>
    commandPlaceholders(["bash", "-c", script]).map((p) => `${p.path}${p.numeric ? " #" : ""}`);
  expect(
    numeric(
      [
        'printf -v {{ parameters.a }} %s x; read -r {{ parameters.b }} <<< "{{ parameters.c }}"',
        'unset {{ parameters.d }}; [ -v {{ parameters.e }} ] && test -v "{{ parameters.f }}"',
        "declare {{ parameters.g }}; local -n r={{ parameters.h }}; declare -a l={{ parameters.i }}",
        "arr=([{{ parameters.j }}]=v {{ parameters.k }}); export X={{ parameters.l }}",
      ].join("\n"),
    ),
  ).toEqual([
    "parameters.a #",
    "parameters.b #",
    "parameters.c",
    "parameters.d #",
    "parameters.e #",
    "parameters.f #",
    "parameters.g #",
    "parameters.h #",
    "parameters.i #",
    "parameters.j #",
    "parameters.k",
    "parameters.l",
  ]);
});

describe("{{ run.scheduled_at }}: the time a run is for", () => {
  const at = "2026-03-29T01:00:00.000Z";
  test("an argument gets the time itself; a script refers to ORCH_SCHEDULED_AT, which the run has", () => {
    expect(
      renderCommand(["etl", "--day={{ run.scheduled_at }}"], {}, { scheduled_at: at }).argv,
    ).toEqual(["etl", `--day=${at}`]);
    const script = renderCommand(
      ["sh", "-c", "load {{ run.scheduled_at }} '{{ run.scheduled_at }}'"],
      {},
      { scheduled_at: at },
    );
    expect(script.argv[2]).toBe(`load "\${ORCH_SCHEDULED_AT}" ''"\${ORCH_SCHEDULED_AT}"''`);
    expect(script.env).toEqual({});
  });

  test("only scheduled_at of the run can be named, and never where bash does arithmetic", () => {
    expect(where(["echo", "{{ run.id }}"])).toEqual([
      "{{ run.id }} cannot be filled: only {{ parameters.NAME }} and {{ run.scheduled_at }} can",
    ]);
    expect(() =>
      renderCommand(["bash", "-c", "echo $(( {{ run.scheduled_at }} ))"], {}, { scheduled_at: at }),
    ).toThrow(/is a time, not a number/);
  });
});
