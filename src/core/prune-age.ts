/** The least `older_than` a prune of finished runs takes (`"1m"`): the API's and the CLI's check. */
export const PRUNE_MIN_AGE_MS = 60_000;
