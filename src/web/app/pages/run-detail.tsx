/** @jsxImportSource preact */
import { PageTitle } from "../components/Layout.tsx";
import type { PageProps } from "../components/router.ts";

/** The Run page (placeholder until its page lands). */
export function RunDetailPage(_props: PageProps) {
  return <PageTitle title="Run" />;
}
