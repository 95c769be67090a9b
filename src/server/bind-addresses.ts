import { networkInterfaces } from "node:os";

/** Whether a bind address takes connections on every address of this machine. */
function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

/** `host:port` as a URL or a Host header writes it (an IPv6 address in brackets). */
export function hostPort(host: string, port: number): string {
  return `${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
}

const urlOf = (host: string, port: number) => `http://${hostPort(host, port)}`;

/**
 * The URL this machine's own clients (server.json, the CLI) and runs (ORCH_API_URL) use: the
 * bind address, or loopback when bound to every address (`http://0.0.0.0:4200` names no machine).
 */
export function localUrl(host: string, port: number): string {
  if (!isWildcard(host)) return urlOf(host, port);
  return urlOf(host === "0.0.0.0" ? "127.0.0.1" : "::1", port);
}

/**
 * Where other machines may reach a server bound to every address: a URL for each address of
 * this machine's interfaces but loopback (IPv4; IPv6 too when bound to `::`). Empty for any
 * other bind: a server bound to one address is reached at that one.
 */
export function reachableUrls(host: string, port: number): string[] {
  if (!isWildcard(host)) return [];
  const urls: string[] = [];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.internal || (a.family === "IPv6" && (host === "0.0.0.0" || a.scopeid))) continue;
      urls.push(urlOf(a.address, port));
    }
  }
  return urls;
}
