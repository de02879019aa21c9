// What zonerw asks of each kind of nameserver: which checker validates a zone, and the argv of
// each control step. Pure tables and argv building; adapters/nameserver.ts runs them.

export type NameserverKind = 'nsd' | 'bind' | 'knot' | 'none';
export type ValidateMode = 'auto' | 'always' | 'never';
export type Step = 'reload' | 'notify';

/** The `[nameserver]` table as the adapters take it. */
export interface NameserverSettings {
  kind: NameserverKind;
  /** argv prefix of the control command, no shell */
  control: string[];
  /** config key `checkzone`: whether a missing checker is fine */
  checkzone: ValidateMode;
  /** for each control and checker command */
  timeoutMs: number;
}

/**
 * How one control command can cover several zones: `all` (the step without a zone covers
 * every zone: nsd-control reload / notify), `list` (several zones in one command: knotc),
 * `one` (one zone a command: rndc, whose zoneless reload also re-reads named.conf).
 */
export type Batching = 'all' | 'list' | 'one';

export const BATCHING: Record<NameserverKind, Batching> = { nsd: 'all', knot: 'list', bind: 'one', none: 'one' };

export const DEFAULT_CONTROL: Record<NameserverKind, string[]> = { nsd: ['nsd-control'], bind: ['rndc'], knot: ['knotc'], none: [] };

/** Each kind's own checker first. With kind "none" any installed checker will do. */
export const CHECKERS: Record<NameserverKind, string[]> = {
  nsd: ['nsd-checkzone'],
  bind: ['named-checkzone'],
  knot: ['kzonecheck', 'named-checkzone', 'nsd-checkzone'],
  none: ['named-checkzone', 'nsd-checkzone'],
};

export function checkerArgv(checker: string, zone: string, file: string): string[] {
  // kzonecheck takes the origin with -o (without it, it fails on every zone: "failed to run
  // semantic checks"), and says why it refuses a zone (file, line, reason) only with -v.
  // named-checkzone looks up out-of-zone MX, SRV and NS targets through the system resolver by
  // default (20 s with an unreachable one, in an outage): `-i local` keeps its integrity checks
  // to the zone itself. Its -q would hide the message. nsd-checkzone and kzonecheck look nothing
  // up. nsd-checkzone and named-checkzone print `file:line: reason` on failure.
  if (checker === 'kzonecheck') return [checker, '-v', '-o', zone, file];
  if (checker === 'named-checkzone') return [checker, '-i', 'local', zone, file];
  return [checker, zone, file];
}

/**
 * Against what a relative `$INCLUDE` path is read: NSD (its zonesdir) and BIND (its
 * `directory`) read every relative path, nested ones too, from one folder, their working
 * directory, and so do nsd-checkzone and named-checkzone from theirs; Knot and kzonecheck read
 * it from the including file's folder (measured with NSD 4.6, BIND 9.18, Knot 3.2).
 */
export const INCLUDES_FROM: Record<NameserverKind, 'folder' | 'including file'> = { nsd: 'folder', bind: 'folder', knot: 'including file', none: 'folder' };

// The control verb of each step, by kind: nsd-control and rndc say `reload`/`notify`, knotc
// says `zone-reload`/`zone-notify` (its plain `reload` re-reads the whole server config).
const VERBS: Record<Exclude<NameserverKind, 'none'>, Record<Step, string>> = {
  nsd: { reload: 'reload', notify: 'notify' },
  bind: { reload: 'reload', notify: 'notify' },
  knot: { reload: 'zone-reload', notify: 'zone-notify' },
};

/** argv of a control step: the configured control prefix, the kind's verb, the zones; undefined for kind "none". */
export function controlArgv(ns: Pick<NameserverSettings, 'kind' | 'control'>, step: Step, zones: string | readonly string[]): string[] | undefined {
  return ns.kind === 'none' ? undefined : [...ns.control, VERBS[ns.kind][step], ...(typeof zones === 'string' ? [zones] : zones)];
}

/** The Debian package that brings each checker. */
export const CHECKER_PACKAGE: Record<string, string> = { 'nsd-checkzone': 'nsd', 'named-checkzone': 'bind9-utils', kzonecheck: 'knot-dnssecutils' };

/** Where zonerw looked for a checker, and what to install so that zones stay validated. */
export function missingCheckerAdvice(kind: NameserverKind): string {
  const checkers = CHECKERS[kind];
  const names = checkers.length === 1 ? checkers[0]! : `${checkers.slice(0, -1).join(', ')} or ${checkers.at(-1)}`;
  return `no zone checker found (${names}: not on PATH, nor in /usr/local/sbin, /usr/sbin, /sbin); install the package that has it: apt-get install ${CHECKER_PACKAGE[checkers[0]!]}`;
}

/** argv of the control command's own "are you there?" (for `zonerw check`); undefined for kind "none". */
export function statusArgv(ns: Pick<NameserverSettings, 'kind' | 'control'>): string[] | undefined {
  // nsd-control status, rndc status and knotc status all exit 0 only when the server answers.
  return ns.kind === 'none' ? undefined : [...ns.control, 'status'];
}

/**
 * A control command that failed on its key files or control socket: what the user zonerw runs
 * as (`user`, a name for a command line) needs, or undefined when the words say something else.
 */
export function controlAccessHint(kind: NameserverKind, words: string, user: string): string | undefined {
  switch (kind) {
    case 'nsd':
      if (/SSL_CTX|nsd_(control|server)\.(key|pem)/i.test(words)) {
        return `${user} needs read access to nsd-control's key and certificates (nsd_control.key, nsd_control.pem and nsd_server.pem, in /etc/nsd by default: chgrp ${user} them and chmod g+r), or a unix socket as control-interface in nsd.conf with ${user} in NSD's group (adduser ${user} nsd)`;
      }
      if (/connect \(\/[^)]*\): Permission denied/i.test(words)) {
        return `${user} needs access to NSD's control socket, which NSD gives to its own group: adduser ${user} nsd`;
      }
      return undefined;
    case 'bind':
      if (/(rndc\.(key|conf)|\.key|\.conf)\b.*permission denied|permission denied.*rndc/i.test(words)) {
        return `${user} needs read access to rndc's key (/etc/bind/rndc.key is bind:bind 0640 on Debian): adduser ${user} bind`;
      }
      return undefined;
    case 'knot':
      if (/socket .*\((operation not permitted|permission denied)\)|knot\.conf.*(permission denied|not accessible)/i.test(words)) {
        return `${user} needs access to knotc's config and Knot's control socket (group knot on Debian): adduser ${user} knot`;
      }
      return undefined;
    case 'none':
      return undefined;
  }
}
