/**
 * Characters a terminal acts on instead of showing: C0 controls but tab (ESC starts ANSI and OSC
 * sequences, CR rewrites the line, BEL rings), DEL, C1 controls (0x9b is a one-byte CSI on some
 * terminals) and the bidi overrides and isolates that reorder what is shown.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A line of a flow's output made safe to write to a terminal: each control character is shown
 * as text (`\x1b[2J` prints as those six characters, a bare CR as `\r`), tabs stay. Why: a
 * flow's output, or a webhook payload a flow echoes, must not retitle, clear or rewrite the
 * screen of whoever reads the logs. Backslashes already in the text are left as they are.
 */
export function escapeControlChars(text: string): string {
  return text.replace(CONTROL, (ch) => {
    const code = ch.charCodeAt(0);
    if (ch === "\r") return "\\r";
    if (ch === "\n") return "\\n";
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
