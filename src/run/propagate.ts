// After the install: reload, confirm that the primary serves the new zone, and NOTIFY, owed by
// this run's installs and by earlier runs' failures; then ask the secondaries whether the change
// reached them.
import { secondariesFor } from '../config/types.js';
import { quoteArg } from '../core/messages.js';
import type { Step } from '../core/nameserver.js';
import { describeFailure } from '../core/outcome.js';
import { failed as failedStep } from '../errors.js';
import type { RunContext } from './context.js';
import { mapLimit } from './map-limit.js';
import { confirmServed } from './primary.js';
import { rememberDone, rememberSecondaries } from './remember.js';
import { describeLagging, lookAtSecondaries, type ZoneToWatch } from './secondaries.js';

/** From this many zones on, one control command covers them (when the nameserver can). */
const BATCH_FROM = 8;
const LIST_CHUNK = 200;

/**
 * Reload then NOTIFY every zone that owes it, this run's and earlier runs' alike. Many zones
 * go in one command where the nameserver allows (nsd-control without a zone, knotc with a
 * list); otherwise one command a zone, a few at a time. A reload counts as done only when the
 * primary serves the zone (asked at [nameserver] address: a control command's success proves
 * nothing). A zone whose reload failed, or that the primary does not serve, gets no NOTIFY (for
 * data the server has not loaded) and keeps both pending for the next run.
 */
export async function settlePending(ctx: RunContext, zones: ReadonlySet<string>): Promise<void> {
  const { state } = ctx;
  const owing = Object.keys(state.zones).filter((z) => zones.has(z) && state.zones[z]!.pending.length > 0).sort();
  const reloadFailed = new Set<string>();
  for (const step of ['reload', 'notify'] as const) {
    const due = owing.filter((z) => state.zones[z]!.pending[0] === step);
    if (due.length === 0) continue;
    const failed = await runStep(ctx, step, due);
    if (step === 'reload') for (const z of failed) reloadFailed.add(z);
    const done = due.filter((z) => !failed.has(z));
    rememberDone(state, step === 'reload' ? await confirmServed(ctx, done) : done, step);
  }
  announceServed(ctx, zones, reloadFailed);
}

/**
 * stdout claims a change only once the primary serves it. An install served now: its change
 * line; one installed by an earlier run and served now: `example.com: now served by the primary:
 * serial ..., www -> 198.51.100.7` and a `served` event; one installed now and not served: a line
 * saying it waits, and why (the details are on stderr). An earlier run's install still not served
 * is said on stderr by confirmServed, every run.
 */
function announceServed(ctx: RunContext, zones: ReadonlySet<string>, reloadFailed: ReadonlySet<string>): void {
  for (const zone of [...zones].sort()) {
    const m = ctx.state.zones[zone];
    if (!m?.unserved) continue;
    const line = m.unserved;
    const change = line.startsWith(`${zone}: `) ? line.slice(zone.length + 2) : line;
    const now = ctx.events.some((e) => (e.type === 'publish' || e.type === 'resign') && e.zone === zone); // installed by this run
    if (m.pending.includes('reload')) {
      const why = reloadFailed.has(zone) ? 'its reload failed' : 'the primary does not serve it yet';
      if (now) ctx.say(`${zone}: waiting: ${change}: installed, but ${why} (said on stderr); the reload is retried on the next run`);
      continue;
    }
    delete m.unserved;
    const late = !now || m.unservedSince !== undefined;
    delete m.unservedSince;
    // without [nameserver] address, a reload's success is all zonerw knows: it claims no more
    ctx.say(now ? line : `${zone}: ${ctx.cfg.nameserver.address ? 'now served by the primary' : 'now reloaded'}: ${change}`);
    if (late) ctx.events.push({ t: ctx.now, type: 'served', zone, serial: m.primarySerial ?? m.serial, change });
  }
}

/** Runs one step for the zones due; returns those it failed for. */
async function runStep(ctx: RunContext, step: Step, due: readonly string[]): Promise<Set<string>> {
  const ns = ctx.deps.nameserver;
  const groups: (string | readonly string[])[] =
    due.length < BATCH_FROM || ns.batching === 'one'
      ? [...due]
      : ns.batching === 'all'
        ? [[]]
        : Array.from({ length: Math.ceil(due.length / LIST_CHUNK) }, (_, i) => due.slice(i * LIST_CHUNK, (i + 1) * LIST_CHUNK));
  const results = await mapLimit(groups, 4, async (group) => ({ group, r: await ns.run(step, group) }));
  const failed = new Set<string>();
  for (const { group, r } of results) {
    if (r.ok) continue;
    const covered = typeof group === 'string' ? [group] : group.length === 0 ? due : group;
    const argv = ns.command(step, group)?.map(quoteArg).join(' ');
    const who = covered.length === 1 ? covered[0] : `${covered.length} zones`;
    ctx.fail(failedStep(`${who}: ${argv} ${describeFailure(r)}; will retry on the next run`));
    for (const z of covered) failed.add(z);
  }
  return failed;
}

/**
 * Asks the secondaries for the zones published now (waiting for the transfer) and for the
 * zones some secondary was behind on before; one stderr line for all that are behind.
 */
export async function watchSecondaries(ctx: RunContext, fresh: ReadonlySet<string>, zones: readonly string[]): Promise<void> {
  const { cfg, state } = ctx;
  const watch: ZoneToWatch[] = [];
  for (const zone of zones) {
    const m = state.zones[zone];
    if (!m || m.pending.length > 0 || secondariesFor(cfg, zone).length === 0) continue;
    // current: the primary's serial (a signer's is above zonerw's) or later, with zonerw's addresses
    const expected = { serial: m.primarySerial ?? m.serial, records: m.expect ?? [] };
    if (fresh.has(zone)) watch.push({ zone, expected, fresh: true });
    else if (m.lagging?.length) watch.push({ zone, expected, fresh: false, only: m.lagging });
  }
  if (watch.length === 0) return;
  const notified = await notifyAgain(ctx, watch.filter((w) => !w.fresh).map((w) => w.zone));
  // a secondary notified again is waited for as after a publish (up to secondary_wait)
  const views = await lookAtSecondaries(cfg, watch.map((w) => (notified.has(w.zone) ? { ...w, fresh: true } : w)), ctx.deps.dns);
  for (const w of watch) {
    const mine = views.filter((v) => v.zone === w.zone);
    const served = new Map(mine.flatMap((v) => (v.served !== undefined ? [[v.secondary.name, v.served] as const] : [])));
    rememberSecondaries(state, w.zone, mine.filter((v) => !v.current).map((v) => v.secondary.name), served);
    if (!notified.has(w.zone)) continue;
    for (const v of mine.filter((x) => x.current)) ctx.say(`${w.zone}: secondary ${v.secondary.name} now serves serial ${v.served} (notified again)`);
  }
  // "for N s" since the publish: the wall clock now, not at the start of the run (which
  // published it), so that a 3 s wait shows as 3s; a pinned clock (ZONERW_NOW) moves on with it.
  const now = ctx.now + (performance.now() - ctx.started);
  const line = describeLagging(views, (zone) => {
    const w = watch.find((x) => x.zone === zone);
    const m = state.zones[zone];
    return w && m ? { expected: w.expected, publishedAt: m.publishedAt } : undefined;
  }, now);
  if (line) {
    ctx.fail({ kind: cfg.strictSecondaries ? 'failed' : 'reported', line });
  }
}

/**
 * A secondary left behind (down during a publish, or it missed the NOTIFY) would wait for its
 * SOA refresh, an hour or more in real zones: each run while it is behind sends the zone's NOTIFY
 * again (RFC 1996), once per run, through the nameserver's control command. A failure is a
 * warning: the secondaries are reported behind anyway. Returns the zones notified.
 */
async function notifyAgain(ctx: RunContext, zones: readonly string[]): Promise<Set<string>> {
  const ns = ctx.deps.nameserver;
  const notified = new Set<string>();
  await mapLimit(zones, 4, async (zone) => {
    if (!ns.command('notify', zone)) return;
    const r = await ns.run('notify', zone);
    if (r.ok) notified.add(zone);
    else ctx.warn(`${zone}: ${ns.command('notify', zone)!.map(quoteArg).join(' ')} ${describeFailure(r)} while notifying the secondaries behind again`);
  });
  for (const zone of notified) ctx.trace(`${zone}: a secondary is behind: notified again`);
  return notified;
}
