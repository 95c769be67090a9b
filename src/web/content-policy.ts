import { createHash } from "node:crypto";

/**
 * The content policy of the web UI's page and files: nothing but the server's own files, and the
 * page's inline boot script and styles by their hashes. One policy, made here, for the built page
 * and for every other file served.
 */
export function contentPolicy(inline: { scripts: string[]; styles: string[] }): string {
  const hashes = (texts: string[]) =>
    texts.map((t) => ` 'sha256-${createHash("sha256").update(t).digest("base64")}'`).join("");
  return `default-src 'self'; script-src 'self'${hashes(inline.scripts)}; style-src 'self'${hashes(inline.styles)}; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;
}
