import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { expect, test } from "vitest";

// Local times read from the system's zone file must equal Date's own, in every kind of zone:
// half-hour and 45-minute offsets, southern-hemisphere and negative daylight time, rules past
// the file's table. Each zone is checked in its own process, as TZ is read at start.
const ZONES = [
  "America/New_York",
  "Europe/Paris",
  "Europe/Dublin",
  "Australia/Lord_Howe",
  "Asia/Kathmandu",
  "America/St_Johns",
  "Pacific/Chatham",
  "America/Sao_Paulo",
  "Asia/Tokyo",
  "UTC",
];
const MODULE = resolve(import.meta.dirname, "../../src/core/local-zone.ts");

const CHECK = `
const { loadLocalZone, localParts, usesZoneFile } = await import(${JSON.stringify(MODULE)});
await loadLocalZone();
const wrong = [];
const check = (ms) => {
  const d = new Date(ms);
  const want = [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  const p = localParts(ms);
  const got = [p.year, p.month, p.day, p.hours, p.minutes, p.seconds];
  if (want.join() !== got.join()) wrong.push({ at: d.toISOString(), want: want.join(), got: got.join() });
};
// Every 6 hours from 1975 to 2075 (the table and the rule past it), and each minute around
// 02:00 local time on every day of March, April, September, October and November of 2030.
for (let ms = Date.UTC(1975, 0, 1); ms < Date.UTC(2075, 0, 1); ms += 6 * 3600e3 + 60e3) check(ms);
for (const month of [2, 3, 8, 9, 10]) {
  for (let ms = Date.UTC(2030, month, 1); ms < Date.UTC(2030, month + 1, 1); ms += 15 * 60e3) check(ms);
}
console.log(JSON.stringify({ fast: usesZoneFile(), wrong: wrong.slice(0, 5), count: wrong.length }));
`;

for (const zoneName of ZONES) {
  test(`local times in ${zoneName} equal Date's, from the zone file`, () => {
    const file = zoneName === "UTC" ? "/etc/hostname" : `/usr/share/zoneinfo/${zoneName}`;
    if (!existsSync(file)) {
      // No zone data on this machine: orch falls back to Date, which is then the same by design.
      return;
    }
    const r = Bun.spawnSync([process.execPath, "-e", CHECK], {
      env: { ...process.env, TZ: zoneName },
      stderr: "pipe",
    });
    expect(r.stderr.toString()).toBe("");
    const result = JSON.parse(r.stdout.toString());
    expect(result.wrong).toEqual([]);
    expect(result.fast).toBe(true);
  });
}
