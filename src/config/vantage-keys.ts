// Keys of a check that only zonerw's own probe looks at: `expect_status`, `expect_body`,
// `cert_min_days` (https) and `expect_banner` (tcp). A vantage is asked for `probe_success` of a
// blackbox module and never sees them, so with [[vantage]] tables the quorum would silently
// outvote them (zonerw down "body does not contain …", two vantages up "HTTP 200"). Such a key
// is refused unless the vantages' module is named on purpose (the check's `module`, or every
// vantage's `modules` for the kind); then `zonerw check` warns that the module must check the
// same (ownOnlyWarnings). Problems carry the key path like the rest of the config.
import type { Config, VantageConfig } from './types.js';
import type { Reader, Table } from './reader.js';
import { DEFAULT_MODULES } from './vantages.js';

type Kind = 'http' | 'tcp';

/** What a blackbox module needs to check what the key checks. */
const MODULE_CHECKS: Record<string, string> = {
  expect_status: 'an http module with valid_status_codes',
  expect_body: 'an http module with fail_if_body_not_matches_regexp',
  cert_min_days: 'no module can check the days left (alert on the vantage\'s probe_ssl_earliest_cert_expiry instead)',
  expect_banner: 'a tcp module with query_response: [{ expect: "…" }]',
};

function keysOf(kind: Kind, https: boolean): string[] {
  return kind === 'tcp' ? ['expect_banner'] : ['expect_status', 'expect_body', ...(https ? ['cert_min_days'] : [])];
}

const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** Every [[server]] table with its key path: `server[0]`, `group[1].server[0]`. */
function serverTables(top: Table): { prefix: string; t: Table }[] {
  const list = (raw: unknown, key: string) => (Array.isArray(raw) ? raw.flatMap((t, i) => (isTable(t) ? [{ prefix: `${key}[${i}]`, t }] : [])) : []);
  const groups = Array.isArray(top.group) ? top.group.flatMap((g, i) => (isTable(g) ? list(g.server, `group[${i}].server`) : [])) : [];
  return [...list(top.server, 'server'), ...groups];
}

/** With [[vantage]] tables: refuses a check key the vantages cannot see, unless their module is named on purpose. */
export function refuseOwnOnlyKeys(r: Reader, top: Table, vantages: readonly VantageConfig[]): void {
  if (vantages.length === 0) return;
  const defaults = isTable(top.check) ? top.check : {};
  const found = new Map<string, { servers: string[]; module: string; where: string }>();
  for (const { prefix, t } of serverTables(top)) {
    const check = typeof t.check === 'string' ? { url: t.check } : isTable(t.check) ? t.check : undefined;
    if (!check) continue;
    const kind: Kind = check.tcp !== undefined ? 'tcp' : 'http';
    if (check.module !== undefined || vantages.every((v) => v.modules[kind] !== DEFAULT_MODULES[kind])) continue;
    const https = typeof check.url === 'string' && /^https:/i.test(check.url);
    for (const key of keysOf(kind, https)) {
      const path = check[key] !== undefined ? `${prefix}.check.${key}` : key !== 'expect_banner' && defaults[key] !== undefined ? `check.${key}` : undefined;
      if (!path) continue;
      const entry = found.get(path) ?? { servers: [], module: DEFAULT_MODULES[kind], where: `${prefix}.check.module` };
      entry.servers.push(typeof t.name === 'string' ? t.name : prefix);
      found.set(path, entry);
    }
  }
  for (const [path, { servers, module, where }] of found) {
    const key = path.slice(path.lastIndexOf('.') + 1);
    r.problem(
      path,
      `only zonerw's own probe checks it: the [[vantage]] tables judge ${servers.length === 1 ? 'server' : 'servers'} ${servers.join(', ')} by the blackbox module "${module}", which does not, and their votes would outvote it; ` +
        `name a module that checks the same in ${servers.length === 1 ? where : 'each check\'s module'} (${MODULE_CHECKS[key]}; see the README, [[vantage]]), or remove the key`,
    );
  }
}

/** `zonerw check`: one warning per server whose check has a key the vantages never see, with the module they judge by. */
export function ownOnlyWarnings(cfg: Pick<Config, 'servers' | 'vantages'>): string[] {
  const vantages = cfg.vantages ?? [];
  if (vantages.length === 0) return [];
  return cfg.servers.flatMap((s) => {
    const spec = s.check?.spec;
    if (!spec) return [];
    const set = spec.kind === 'tcp'
      ? (spec.expectBanner !== undefined ? ['expect_banner'] : [])
      : [...(spec.expectStatus ? ['expect_status'] : []), ...(spec.expectBody !== undefined ? ['expect_body'] : []), ...(spec.certMinDays !== undefined ? ['cert_min_days'] : [])];
    const modules = [...new Set(vantages.map((v) => s.check!.module ?? v.modules[spec.kind]))].map((m) => `"${m}"`).join(', ');
    return set.map((key) => `warning: server ${s.name}: check.${key} is checked by zonerw's own probe only; the vantages judge by the blackbox module ${modules}, which must check the same (${MODULE_CHECKS[key]}), or their votes outvote it`);
  });
}
