/**
 * What a deploy that ended a rollback says, in the server's log and in `orch deploy`'s output
 * alike: the version rolled back to, the one active now, and the way back.
 */
export function rollbackEndedLine(ended: { name: string; was: number; version: number }): string {
  const { name, was, version } = ended;
  return `${name}: its rollback to v${was} ended, its files changed and v${version} is active now (orch deployments inspect ${name} shows what changed; orch deployments rollback ${name} --to ${was} goes back)`;
}
