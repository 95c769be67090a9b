/** @jsxImportSource preact */
import { PageTitle } from "../components/Layout.tsx";
import type { PageProps } from "../components/router.ts";

/** The Events page. */
export function EventsPage(_props: PageProps) {
  return <PageTitle title="Events" />;
}
