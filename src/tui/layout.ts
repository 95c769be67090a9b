/** Heights of the monitor's parts, in lines; a pane's rows exclude its title and column heads. */
export interface Layout {
  cols: number;
  deploymentRows: number;
  runRows: number;
  /** 0 when the terminal is too short for a log pane. */
  logRows: number;
  /** Lines of log in the run details view. */
  detailLogRows: number;
  /** Lines of the details view above its logs (states, parameters). */
  detailHeadRows: number;
}

/** Lines that are not panes: the header, the event line, the key bar, and one left free. */
const CHROME = 4;

/**
 * Share the terminal between the panes. The last line stays empty: Ink clears the whole screen
 * on every frame whose output is as tall as the terminal, which flickers.
 */
export function computeLayout(
  size: { cols: number; rows: number },
  deploymentCount: number,
): Layout {
  const body = Math.max(6, size.rows - CHROME);
  // Deployments: a title and column heads, then up to a third of the body.
  const deploymentRows = Math.max(1, Math.min(deploymentCount, Math.floor(body / 3) - 2));
  const rest = body - (deploymentRows + 2);
  // Runs (title + heads) and logs (title): logs only when there is room for a few lines.
  const logRows = rest >= 12 ? Math.max(3, Math.floor(rest * 0.4) - 1) : 0;
  const runRows = Math.max(1, rest - (logRows ? logRows + 1 : 0) - 2);
  // A run's facts (its exit code and worker too) before its logs: on a 24-line terminal that is
  // three fifths of the body; a taller one gives the logs what is past 14 lines of facts.
  const detailHeadRows = Math.min(14, Math.max(4, Math.floor(body * 0.6)));
  const detailLogRows = Math.max(1, body - detailHeadRows - 2);
  return {
    cols: Math.max(20, size.cols),
    deploymentRows,
    runRows,
    logRows,
    detailLogRows,
    detailHeadRows,
  };
}
