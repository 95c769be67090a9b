/** @jsxImportSource preact */
import { PageTitle } from "../components/Layout.tsx";
import type { PageProps } from "../components/router.ts";

/** The Runs page (placeholder until its page lands). */
export function RunsPage(_props: PageProps) {
  return <PageTitle title="Runs" />;
}
