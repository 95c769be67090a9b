/** @jsxImportSource preact */
import { PageTitle } from "../components/Layout.tsx";
import type { PageProps } from "../components/router.ts";

/** The Problems page. */
export function ProblemsPage(_props: PageProps) {
  return <PageTitle title="Problems" />;
}
