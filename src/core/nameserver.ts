// What zonerw knows of each kind of nameserver, as one profile a kind (PROFILES): its checkers
// and their options, its control verbs and batching, where it reads includes from, what to tell
// a user its control command refuses. Pure; adapters/nameserver.ts runs what it says.

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

/** One zone checker: the program, the argv it is run with, and the Debian package that brings it. */
export interface Checker {
  program: string;
  package: string;
  argv(zone: string, file: string): string[];
}

/** Everything zonerw knows of one kind of nameserver. */
export interface Profile {
  /** the control command when `control` is not configured */
  defaultControl: readonly string[];
  /** the control verb of each step; undefined: zonerw runs no control command */
  verbs: Readonly<Record<Step, string>> | undefined;
  batching: Batching;
  /** its checkers, its own first: the first installed one validates */
  checkers: readonly Checker[];
  /**
   * Against what a relative `$INCLUDE` path is read: NSD (its zonesdir) and BIND (its
   * `directory`) read every relative path, nested ones too, from one folder, their working
   * directory, and so do nsd-checkzone and named-checkzone from theirs; Knot and kzonecheck
   * read it from the including file's folder (measured with NSD 4.6, BIND 9.18, Knot 3.2).
   */
  includesFrom: 'folder' | 'including file';
  /** a config problem with include_dir (given apart from zone_dir), or undefined */
  includeDirProblem: string | undefined;
  /**
   * A control command that failed on its key files or control socket: what the user zonerw
   * runs as (`user`) needs, or undefined when the words say something else. `missing(path)`:
   * whether a file the words name does not exist (the adapter looks).
   */
  accessHint(words: string, user: string, missing: (path: string) => boolean): string | undefined;
}

// nsd-checkzone and named-checkzone print `file:line: reason` on failure. nsd-checkzone and
// kzonecheck look nothing up.
const nsdCheckzone: Checker = { program: 'nsd-checkzone', package: 'nsd', argv: (zone, file) => ['nsd-checkzone', zone, file] };
// kzonecheck takes the origin with -o (without it, it fails on every zone: "failed to run
// semantic checks"), and says why it refuses a zone (file, line, reason) only with -v.
const kzonecheck: Checker = { program: 'kzonecheck', package: 'knot-dnssecutils', argv: (zone, file) => ['kzonecheck', '-v', '-o', zone, file] };
/**
 * named-checkzone looks up out-of-zone MX, SRV and NS targets through the system resolver by
 * default (20 s with an unreachable one, in an outage): `-i local` keeps its integrity checks to
 * the zone itself, as named's check-integrity does. Its -q would hide the message. `extra`: the
 * options that make it check as named checks a primary zone.
 */
const namedCheckzone = (extra: readonly string[]): Checker => ({ program: 'named-checkzone', package: 'bind9-utils', argv: (zone, file) => ['named-checkzone', ...extra, '-i', 'local', zone, file] });

/**
 * named loads a primary zone with `check-names primary fail` (named.conf's default), where
 * named-checkzone only warns (-k warn): a name like `yy_yy` in an A record's owner passes the
 * checker and then named refuses the zone at the reload or restart. -k fail checks as named
 * does. named's other primary-zone defaults are what named-checkzone does by default (both
 * warn): check-mx (-m), check-mx-cname (-M), check-srv-cname (-S), check-wildcard (-W),
 * check-dup-records; named does not check NS targets for addresses at all (-n only warns).
 */
const NAMED_PRIMARY = ['-k', 'fail'] as const;

const NSD_KEYS = /nsd_(control|server)\.(key|pem)/i;

/**
 * Every nameserver kind zonerw knows, in one table: a new kind is a new entry here (the config
 * accepts it from this table's keys).
 */
export const PROFILES = {
  nsd: {
    defaultControl: ['nsd-control'],
    verbs: { reload: 'reload', notify: 'notify' },
    batching: 'all',
    checkers: [nsdCheckzone],
    includesFrom: 'folder',
    includeDirProblem: undefined,
    accessHint(words, user, missing) {
      const file = /(\/[^\s:]*nsd_(?:control|server)\.(?:key|pem))/.exec(words)?.[1];
      if (file !== undefined && missing(file)) {
        return `${file} does not exist: create nsd-control's keys and certificates with nsd-control-setup (as root; it writes them in /etc/nsd), then restart NSD`;
      }
      if (/SSL_CTX/i.test(words) || NSD_KEYS.test(words)) {
        return `${user} needs read access to nsd-control's key and certificates (nsd_control.key, nsd_control.pem and nsd_server.pem, in /etc/nsd by default: chgrp ${user} them and chmod g+r), or a unix socket as control-interface in nsd.conf with ${user} in NSD's group (adduser ${user} nsd)`;
      }
      if (/connect \(\/[^)]*\): Permission denied/i.test(words)) {
        return `${user} needs access to NSD's control socket, which NSD gives to its own group: adduser ${user} nsd`;
      }
      return undefined;
    },
  },
  bind: {
    defaultControl: ['rndc'],
    verbs: { reload: 'reload', notify: 'notify' },
    batching: 'one',
    checkers: [namedCheckzone(NAMED_PRIMARY)],
    includesFrom: 'folder',
    includeDirProblem: undefined,
    accessHint(words, user) {
      if (/neither \S+ nor \S+ was found/i.test(words)) {
        return `rndc has no key: create /etc/bind/rndc.key with rndc-confgen -a (as root), then restart named so that it reads it too`;
      }
      if (/(rndc\.(key|conf)|\.key|\.conf)\b.*permission denied|permission denied.*rndc/i.test(words)) {
        return `${user} needs read access to rndc's key (/etc/bind/rndc.key is bind:bind 0640 on Debian): adduser ${user} bind`;
      }
      return undefined;
    },
  },
  knot: {
    defaultControl: ['knotc'],
    // knotc's plain `reload` re-reads the whole server config.
    verbs: { reload: 'zone-reload', notify: 'zone-notify' },
    batching: 'list',
    // named-checkzone as Knot would load it: Knot checks no host names.
    checkers: [kzonecheck, namedCheckzone([]), nsdCheckzone],
    includesFrom: 'including file',
    includeDirProblem: "Knot reads a relative $INCLUDE from the zone file's folder, zone_dir: remove include_dir",
    accessHint(words, user) {
      if (/socket .*\((operation not permitted|permission denied)\)|knot\.conf.*(permission denied|not accessible)/i.test(words)) {
        return `${user} needs access to knotc's config and Knot's control socket (group knot on Debian): adduser ${user} knot`;
      }
      return undefined;
    },
  },
  none: {
    defaultControl: [],
    verbs: undefined,
    batching: 'one',
    // With kind "none" any installed checker will do, with its own defaults.
    checkers: [namedCheckzone([]), nsdCheckzone],
    includesFrom: 'folder',
    includeDirProblem: undefined,
    accessHint: () => undefined,
  },
} as const satisfies Record<string, Profile>;

export type NameserverKind = keyof typeof PROFILES;

/** The kinds the config accepts, in the table's order. */
export const KINDS = Object.keys(PROFILES) as NameserverKind[];

/** A kind's profile, typed as the interface (the table's literal types aside). */
export function profile(kind: NameserverKind): Profile {
  return PROFILES[kind];
}

/** argv of a control step: the configured control prefix, the kind's verb, the zones; undefined for kind "none". */
export function controlArgv(ns: Pick<NameserverSettings, 'kind' | 'control'>, step: Step, zones: string | readonly string[]): string[] | undefined {
  const verbs = profile(ns.kind).verbs;
  return verbs === undefined ? undefined : [...ns.control, verbs[step], ...(typeof zones === 'string' ? [zones] : zones)];
}

/** Where zonerw looked for a checker, and what to install so that zones stay validated. */
export function missingCheckerAdvice(kind: NameserverKind): string {
  const checkers = profile(kind).checkers.map((c) => c.program);
  const names = checkers.length === 1 ? checkers[0]! : `${checkers.slice(0, -1).join(', ')} or ${checkers.at(-1)}`;
  return `no zone checker found (${names}: not on PATH, nor in /usr/local/sbin, /usr/sbin, /sbin); install the package that has it: apt-get install ${profile(kind).checkers[0]!.package}`;
}

/** argv of the control command's own "are you there?" (for `zonerw check`); undefined for kind "none". */
export function statusArgv(ns: Pick<NameserverSettings, 'kind' | 'control'>): string[] | undefined {
  // nsd-control status, rndc status and knotc status all exit 0 only when the server answers.
  return profile(ns.kind).verbs === undefined ? undefined : [...ns.control, 'status'];
}

/** What the user zonerw runs as needs for a control command that failed on its keys or socket (see Profile.accessHint). */
export function controlAccessHint(kind: NameserverKind, words: string, user: string, missing: (path: string) => boolean = () => false): string | undefined {
  return profile(kind).accessHint(words, user, missing);
}
