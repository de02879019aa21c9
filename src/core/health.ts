// Which server is favoured, from this run's check outcomes and what the state remembers.
// Pure: outcomes and the time are inputs. Later rules (hysteresis, reference hosts, pins)
// extend `decideHealth` without changing its callers.

export interface ServerInput {
  name: string;
  address: string;
  /** false for a server without a check: it is taken to be up (the last resort). */
  checked: boolean;
}

export interface CheckOutcome {
  up: boolean;
  /** `HTTP 200`, `HTTP 503`, `connection refused`, `timed out after 5s`, ... */
  reason: string;
  latencyMs: number;
  attempts: number;
  /** ms since the epoch, when the check finished */
  at: number;
}

/** What the state remembers of a server between runs. */
export interface ServerMemory {
  up: boolean;
  since: number;
  lastCheck?: CheckOutcome;
}

export interface FavouredMemory {
  server: string;
  address: string;
  since: number;
}

export interface ServerVerdict {
  name: string;
  address: string;
  up: boolean;
  /** Up/down differs from the remembered status (a server never seen counts as up before). */
  changed: boolean;
  since: number;
  outcome?: CheckOutcome;
}

export interface HealthDecision {
  servers: ServerVerdict[];
  favoured: FavouredMemory;
  favouredChanged: boolean;
  /** The rule that picked the favoured server, for -v and status. */
  rule: string;
}

export function decideHealth(
  servers: readonly ServerInput[],
  outcomes: ReadonlyMap<string, CheckOutcome>,
  memory: { servers: Readonly<Record<string, ServerMemory>>; favoured?: FavouredMemory },
  now: number,
): HealthDecision {
  if (servers.length === 0) throw new Error('decideHealth: no servers');
  const verdicts = servers.map((s): ServerVerdict => {
    const outcome = outcomes.get(s.name);
    const up = s.checked ? outcome?.up === true : true;
    const before = memory.servers[s.name];
    const changed = (before?.up ?? true) !== up;
    return {
      name: s.name,
      address: s.address,
      up,
      changed,
      since: changed || !before ? now : before.since,
      ...(outcome ? { outcome } : {}),
    };
  });
  const firstUp = verdicts.findIndex((v) => v.up);
  const index = firstUp === -1 ? verdicts.length - 1 : firstUp;
  const chosen = verdicts[index]!;
  const rule =
    firstUp === -1
      ? `no server is up: favouring the last one, ${chosen.name}`
      : index === 0
        ? `${chosen.name} is the first server and it is up`
        : `${verdicts.slice(0, index).map((v) => v.name).join(', ')} down: ${chosen.name} is the first server that is up`;
  const before = memory.favoured;
  const favouredChanged = before === undefined ? index !== 0 : before.server !== chosen.name || before.address !== chosen.address;
  const favoured: FavouredMemory = {
    server: chosen.name,
    address: chosen.address,
    since: favouredChanged || !before ? now : before.since,
  };
  return { servers: verdicts, favoured, favouredChanged, rule };
}

/**
 * One line for cron's mail when anything changed, else undefined:
 * `main 192.0.2.1 down (HTTP 503, 2 attempts); favouring backup 198.51.100.7`.
 */
export function describeTransition(d: HealthDecision): string | undefined {
  const parts = d.servers.filter((v) => v.changed).map(describeVerdict);
  if (d.favouredChanged) parts.push(`favouring ${d.favoured.server} ${d.favoured.address}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

export function describeVerdict(v: ServerVerdict): string {
  const o = v.outcome;
  const detail = o ? ` (${o.reason}${o.attempts > 1 ? `, ${o.attempts} attempts` : o.up ? '' : ', 1 attempt'})` : '';
  return `${v.name} ${v.address} ${v.up ? 'up' : 'down'}${detail}`;
}
