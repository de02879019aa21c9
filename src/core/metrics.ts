// The node_exporter textfile (Prometheus text exposition format 0.0.4): names with the
// zonerw_ prefix and base units (seconds), gauges with HELP and TYPE, label values escaped.
// Pure: the numbers come in, the text goes out.

export interface MetricsInput {
  /** `group`: set when the config names groups (a `group` label); the default group alone has none, as before groups */
  /** `favoured`: the decision; `served`: favoured, and DNS serves it (every zone of its group) */
  servers: { name: string; group?: string; raw: boolean; /** with [[vantage]] tables: the votes reached no quorum this run (no check result to claim) */ undecided?: boolean; up: boolean; favoured: boolean; served?: boolean; latencySeconds?: number; consecutiveFailures: number }[];
  /** `served`: the primary serves the decision for the zone; `primarySerial`: the serial it was found serving */
  zones: { zone: string; serial: number; lastPublishSeconds: number; served?: boolean; primarySerial?: number; primarySeenSeconds?: number; signaturesExpirySeconds?: number; secondaries: { secondary: string; serial: number }[] }[];
  runDurationSeconds: number;
  lastRunSeconds: number;
  lastSuccessSeconds?: number;
  /** one per group (`group` as for servers) */
  pins: { group?: string; active: boolean }[];
  exitCode: number;
  /** with [[vantage]] tables: each vote cast on each server (`vantage` zonerw for its own), and each vantage's reach */
  votes?: { server: string; group?: string; vantage: string; up: boolean }[];
  vantages?: { vantage: string; reachable: boolean }[];
  /** per group: the favoured server is not the group's first */
  failedOver?: { group?: string; failedOver: boolean }[];
}

type Sample = [labels: Record<string, string>, value: number];

export function renderMetrics(m: MetricsInput): string {
  const out: string[] = [];
  const gauge = (name: string, help: string, samples: Sample[]) => {
    if (samples.length === 0) return;
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of samples) out.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
  };
  const bool = (b: boolean) => (b ? 1 : 0);
  const server = (s: MetricsInput['servers'][number]) => ({ ...group(s), server: s.name });
  gauge('zonerw_server_check_up', "Whether the server's check succeeded on the last run (1) or not (0).", m.servers.flatMap((s): Sample[] => (s.undecided ? [] : [[server(s), bool(s.raw)]])));
  gauge('zonerw_server_check_undecided', "With [[vantage]] tables: whether the votes on the server's check reached no quorum on the last run (1: no check result; zonerw_server_check_up and zonerw_server_consecutive_failed_runs are then absent).", m.servers.flatMap((s): Sample[] => (s.undecided === undefined ? [] : [[server(s), bool(s.undecided)]])));
  gauge('zonerw_server_up', 'Whether the server counts as up after hysteresis (fail_after, recover_after).', m.servers.map((s) => [server(s), bool(s.up)]));
  gauge('zonerw_server_favoured', "Whether zonerw's decision favours this server (@IP@); whether DNS serves that decision is zonerw_server_served.", m.servers.map((s) => [server(s), bool(s.favoured)]));
  gauge('zonerw_server_served', "Whether the zones point at this server in DNS: favoured, and every zone of its group installed with it and served by the primary, as the last run observed (0 also when a zone has never been published); absent when no primary is asked (unknown).", m.servers.flatMap((s): Sample[] => (s.served === undefined ? [] : [[server(s), bool(s.served)]])));
  gauge('zonerw_server_check_latency_seconds', "The duration of the server's last check.", m.servers.flatMap((s): Sample[] => (s.latencySeconds === undefined ? [] : [[server(s), s.latencySeconds]])));
  gauge('zonerw_server_consecutive_failed_runs', 'Runs in a row whose check of the server failed.', m.servers.flatMap((s): Sample[] => (s.undecided ? [] : [[server(s), s.consecutiveFailures]])));
  gauge('zonerw_zone_serial', 'The SOA serial zonerw last published for the zone.', m.zones.map((z) => [{ zone: z.zone }, z.serial]));
  gauge('zonerw_zone_served', "Whether the primary serves the zone with the favoured servers' addresses, as the last run that asked observed (0: a refused or failed publish, or a reload the primary did not load); absent when no primary is asked (unknown). A steady run asks nothing: zonerw_zone_primary_seen_timestamp_seconds says when the primary was last seen serving it.", m.zones.flatMap((z): Sample[] => (z.served === undefined ? [] : [[{ zone: z.zone }, bool(z.served)]])));
  gauge('zonerw_zone_primary_seen_timestamp_seconds', 'When a run last found the primary serving the zone as published (a steady run asks nothing; zonerw status asks live).', m.zones.flatMap((z): Sample[] => (z.primarySeenSeconds === undefined ? [] : [[{ zone: z.zone }, z.primarySeenSeconds]])));
  gauge('zonerw_zone_primary_serial', 'The SOA serial the primary served when zonerw last found it serving the installed zone.', m.zones.flatMap((z): Sample[] => (z.primarySerial === undefined ? [] : [[{ zone: z.zone }, z.primarySerial]])));
  gauge('zonerw_zone_signatures_expiry_timestamp_seconds', 'When the earliest signature of the zone zonerw signed and installed expires, in seconds since the epoch (alert well before it).', m.zones.flatMap((z): Sample[] => (z.signaturesExpirySeconds === undefined ? [] : [[{ zone: z.zone }, z.signaturesExpirySeconds]])));
  gauge('zonerw_zone_last_publish_timestamp_seconds', 'When zonerw last published the zone, in seconds since the epoch.', m.zones.map((z) => [{ zone: z.zone }, z.lastPublishSeconds]));
  gauge('zonerw_secondary_serial', 'The SOA serial a secondary served when zonerw last asked.', m.zones.flatMap((z) => z.secondaries.map((s): Sample => [{ zone: z.zone, secondary: s.secondary }, s.serial])));
  gauge('zonerw_run_duration_seconds', 'How long the last run took.', [[{}, m.runDurationSeconds]]);
  gauge('zonerw_last_run_timestamp_seconds', 'When the last run ended, in seconds since the epoch.', [[{}, m.lastRunSeconds]]);
  if (m.lastSuccessSeconds !== undefined) gauge('zonerw_last_success_timestamp_seconds', 'When a run last ended with exit status 0, in seconds since the epoch.', [[{}, m.lastSuccessSeconds]]);
  gauge('zonerw_last_run_exit_code', 'The exit status of the last run (0 success, 1 failure, 65 base file, 78 config).', [[{}, m.exitCode]]);
  gauge('zonerw_server_vote_up', 'Whether a vantage (zonerw for its own probe) voted the server up (1) or down (0) on the last run; absent: no vote.', (m.votes ?? []).map((v) => [{ ...group(v), server: v.server, vantage: v.vantage }, bool(v.up)]));
  gauge('zonerw_vantage_reachable', "Whether the vantage's blackbox_exporter answered every probe asked of it on the last run.", (m.vantages ?? []).map((v) => [{ vantage: v.vantage }, bool(v.reachable)]));
  gauge('zonerw_failed_over', "Whether zonerw favours a server other than the group's first (1): it failed over.", (m.failedOver ?? []).map((f) => [group(f), bool(f.failedOver)]));
  gauge('zonerw_pin_active', 'Whether a manual pin (zonerw pin) decides the favoured server.', m.pins.map((p) => [group(p), bool(p.active)]));
  return `${out.join('\n')}\n`;
}

function group(x: { group?: string }): Record<string, string> {
  return x.group === undefined ? {} : { group: x.group };
}

function formatLabels(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(6)));
}
