/** @jsxImportSource preact */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { logOut } from "../api.ts";
import { type LiveStatus, useLiveStatus } from "../live.ts";

/** The pages in the navigation bar, in order. */
export const NAV: { path: string; label: string }[] = [
  { path: "/deployments", label: "Deployments" },
  { path: "/runs", label: "Runs" },
  { path: "/events", label: "Events" },
  { path: "/workers", label: "Workers" },
  { path: "/problems", label: "Problems" },
];

const STATUS_TEXT: Record<LiveStatus, string> = {
  online: "● online",
  connecting: "○ connecting",
  offline: "○ offline",
};

/** Log out: this browser's session ends on the server, and the page says how to log in. */
function LogOut() {
  const [failed, setFailed] = useState<string | null>(null);
  return (
    <button
      type="button"
      class="logout"
      data-testid="logout"
      title={failed ?? "End this browser's session"}
      onClick={() => logOut().catch((e: Error) => setFailed(`Not logged out: ${e.message}`))}
    >
      {failed ? "Log out (failed)" : "Log out"}
    </button>
  );
}

/** Every page's frame: the navigation, the live status, and the page itself. */
export function Layout({ path, children }: { path: string; children: ComponentChildren }) {
  const status = useLiveStatus();
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href="/deployments">
          orch
        </a>
        <nav>
          {NAV.map((item) => (
            <a
              key={item.path}
              href={item.path}
              class={path === item.path || path.startsWith(`${item.path}/`) ? "active" : ""}
            >
              {item.label}
            </a>
          ))}
        </nav>
        <span class={`live live-${status}`} data-testid="live-status" title="The event stream">
          {STATUS_TEXT[status]}
        </span>
        <LogOut />
      </header>
      <main>{children}</main>
    </div>
  );
}

/** A page's title line, with actions on the right. */
export function PageTitle({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="page-title">
      <h1>{title}</h1>
      <div class="actions">{children}</div>
    </div>
  );
}

/** An error from the server, as it said it (with each problem's place). */
export function ErrorBox({
  error,
}: {
  error: { describe?: () => string; message: string } | null;
}) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      {error.describe ? error.describe() : error.message}
    </div>
  );
}

/** What a page shows before its first answer. */
export function Loading() {
  return <p class="muted">Loading…</p>;
}
