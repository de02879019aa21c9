// `[[vantage]]` tables (blackbox_exporters elsewhere that vote on every server probe) and the
// quorum of votes (`[check] quorum`, a [[group]]'s `check.quorum`). Problems are collected with
// their key paths like the rest of the config (config/validate.ts calls readVantages once).
import { DEFAULT_GROUP } from '../core/markers.js';
import { OWN_VANTAGE } from '../core/probe.js';
import { defaultQuorum } from '../core/votes.js';
import { describe, Reader, type Table } from './reader.js';
import type { VantageConfig } from './types.js';

const VANTAGE_KEYS = ['name', 'blackbox', 'modules'] as const;
const MODULE_KEYS = ['http', 'tcp'] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** blackbox_exporter's own example modules, in every Debian install's blackbox.yml */
export const DEFAULT_MODULES = { http: 'http_2xx', tcp: 'tcp_connect' } as const;

export interface VantageSettings {
  vantages?: VantageConfig[];
  /** votes needed for a verdict, by group name (the top-level servers' group is `default`) */
  quorum?: Record<string, number>;
}

/** The [[vantage]] tables and every group's quorum; {} when the config has neither. */
export function readVantages(r: Reader, top: Table): VantageSettings {
  const vantages = readVantageTables(r, top.vantage);
  const quorum = readQuorums(r, top, vantages.length);
  return {
    ...(vantages.length > 0 ? { vantages } : {}),
    ...(Object.keys(quorum).length > 0 || vantages.length > 0 ? { quorum } : {}),
  };
}

function readVantageTables(r: Reader, raw: unknown): VantageConfig[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    r.problem('vantage', 'must be [[vantage]] tables, each with name and blackbox = "http://HOST:9115"');
    return [];
  }
  const seen = new Map<string, string>();
  return raw.flatMap((entry, i): VantageConfig[] => {
    const prefix = `vantage[${i}]`;
    const t = r.table(entry, prefix);
    if (!t) return [];
    r.known(t, prefix, VANTAGE_KEYS);
    const name = r.string(t, prefix, 'name', true);
    if (name !== undefined) {
      const first = seen.get(name);
      if (!NAME.test(name)) r.problem(`${prefix}.name`, `use letters, digits, '.', '_' and '-', not ${describe(name)}`);
      else if (name === OWN_VANTAGE) r.problem(`${prefix}.name`, `"${OWN_VANTAGE}" names zonerw's own vote; give the vantage another name`);
      else if (first !== undefined) r.problem(`${prefix}.name`, `"${name}" is already the name of ${first}`);
      seen.set(name, prefix);
    }
    const blackbox = r.string(t, prefix, 'blackbox', true);
    if (blackbox !== undefined && !isHttpUrl(blackbox)) {
      r.problem(`${prefix}.blackbox`, `must be the http:// or https:// URL of a blackbox_exporter, like "http://192.0.2.9:9115", not ${describe(blackbox)}`);
    }
    const modules = readModules(r, t.modules, `${prefix}.modules`);
    if (name === undefined || blackbox === undefined) return [];
    return [{ name, blackbox: blackbox.replace(/\/+$/, ''), modules }];
  });
}

function readModules(r: Reader, raw: unknown, prefix: string): VantageConfig['modules'] {
  const t = r.table(raw, prefix) ?? {};
  r.known(t, prefix, MODULE_KEYS);
  return { http: r.string(t, prefix, 'http') ?? DEFAULT_MODULES.http, tcp: r.string(t, prefix, 'tcp') ?? DEFAULT_MODULES.tcp };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' && url.hash === '' && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** `[check] quorum` for every group, a [[group]]'s `check.quorum` for its own; from 1 to 1 + vantages. */
function readQuorums(r: Reader, top: Table, vantages: number): Record<string, number> {
  const voters = 1 + vantages;
  const read = (check: unknown, prefix: string, fallback: number): number => {
    if (typeof check !== 'object' || check === null || Array.isArray(check)) return fallback;
    const t = check as Table;
    if (t.quorum === undefined) return fallback;
    const q = r.int(t, prefix, 'quorum', 1, 100, fallback);
    if (Number.isInteger(t.quorum) && q > voters) {
      r.problem(`${prefix}.quorum`, `${q} votes can never be reached: zonerw and ${vantages} [[vantage]] table${vantages === 1 ? '' : 's'} cast at most ${voters}`);
    }
    return Math.min(q, voters);
  };
  const all = read(top.check, 'check', defaultQuorum(vantages));
  const quorum: Record<string, number> = top.server !== undefined || top.group === undefined ? { [DEFAULT_GROUP]: all } : {};
  if (Array.isArray(top.group)) {
    top.group.forEach((g, i) => {
      const name = typeof g === 'object' && g !== null ? (g as Table).name : undefined;
      if (typeof name === 'string') quorum[name] = read((g as Table).check, `group[${i}].check`, all);
    });
  }
  return vantages === 0 && Object.values(quorum).every((q) => q === 1) ? {} : quorum;
}
