// The textfile: the decision (favoured) and the service (served) are separate series, each
// described for what it is; the served series appear only when the run knows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMetrics, type MetricsInput } from '../../src/core/metrics.js';

const run: MetricsInput = {
  servers: [
    { name: 'main', raw: false, up: false, favoured: false, served: false, consecutiveFailures: 3 },
    { name: 'backup', raw: true, up: true, favoured: true, served: false, consecutiveFailures: 0 },
  ],
  zones: [{ zone: 'example.com', serial: 2026112201, lastPublishSeconds: 1_764_000_000, served: false, primarySerial: 2026112200, primarySeenSeconds: 1_764_000_100, signaturesExpirySeconds: 1_765_000_000, secondaries: [] }],
  runDurationSeconds: 0.5,
  lastRunSeconds: 1_764_000_100,
  pins: [{ active: false }],
  exitCode: 1,
};

test('favoured is the decision, served is what DNS does: a refused failover is favoured 1, served 0', () => {
  const text = renderMetrics(run);
  const line = (name: string) => text.split('\n').find((l) => l.startsWith(name));
  assert.equal(line('zonerw_server_favoured{server="backup"}'), 'zonerw_server_favoured{server="backup"} 1');
  assert.equal(line('zonerw_server_served{server="backup"}'), 'zonerw_server_served{server="backup"} 0');
  assert.equal(line('zonerw_zone_served{zone="example.com"}'), 'zonerw_zone_served{zone="example.com"} 0');
  assert.equal(line('zonerw_zone_primary_serial{zone="example.com"}'), 'zonerw_zone_primary_serial{zone="example.com"} 2026112200');
  // a steady run asks nothing: when the primary was last seen serving it goes beside the claim
  assert.equal(line('zonerw_zone_primary_seen_timestamp_seconds{zone="example.com"}'), 'zonerw_zone_primary_seen_timestamp_seconds{zone="example.com"} 1764000100');
  assert.equal(line('zonerw_zone_signatures_expiry_timestamp_seconds{zone="example.com"}'), 'zonerw_zone_signatures_expiry_timestamp_seconds{zone="example.com"} 1765000000');
  assert.match(text, /^# HELP zonerw_server_favoured Whether zonerw's decision favours this server \(@IP@\); whether DNS serves that decision is zonerw_server_served\.$/m);
  assert.doesNotMatch(text, /the zones point at this server \(@IP@\)/, 'the favoured series no longer claims the zones point there');
});

test('without what DNS serves (an input from before), no served series is invented', () => {
  const text = renderMetrics({ ...run, servers: run.servers.map(({ served: _, ...s }) => s), zones: run.zones.map(({ served: _, primarySerial: __, primarySeenSeconds: ____, signaturesExpirySeconds: ___, ...z }) => z) });
  assert.doesNotMatch(text, /^(# (HELP|TYPE) )?(zonerw_server_served|zonerw_zone_served|zonerw_zone_primary_serial|zonerw_zone_primary_seen|zonerw_zone_signatures_expiry)/m);
});

test('a server whose votes reached no quorum claims no check result: check_up and failed runs absent, undecided 1', () => {
  const text = renderMetrics({ ...run, servers: [{ ...run.servers[0]!, raw: true, undecided: true }, { ...run.servers[1]!, undecided: false }] });
  assert.doesNotMatch(text, /^zonerw_server_check_up\{server="main"\}/m);
  assert.doesNotMatch(text, /^zonerw_server_consecutive_failed_runs\{server="main"\}/m);
  assert.match(text, /^zonerw_server_check_undecided\{server="main"\} 1$/m);
  assert.match(text, /^zonerw_server_check_undecided\{server="backup"\} 0$/m);
  assert.match(text, /^zonerw_server_check_up\{server="backup"\} 1$/m);
  // without [[vantage]] tables there is no such series
  assert.doesNotMatch(renderMetrics(run), /zonerw_server_check_undecided/);
});
