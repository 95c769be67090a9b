/** @jsxImportSource preact */
import { PageTitle } from "../components/Layout.tsx";
import type { PageProps } from "../components/router.ts";

/** The Deployments page. */
export function DeploymentsPage(_props: PageProps) {
  return <PageTitle title="Deployments" />;
}
