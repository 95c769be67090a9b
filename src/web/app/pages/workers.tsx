/** @jsxImportSource preact */
import { PageTitle } from "../components/Layout.tsx";
import type { PageProps } from "../components/router.ts";

/** The Workers page. */
export function WorkersPage(_props: PageProps) {
  return <PageTitle title="Workers" />;
}
