// The control command's argv per nameserver kind.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { controlAccessHint, controlArgv, KINDS, missingCheckerAdvice, profile, PROFILES, statusArgv, type NameserverKind } from '../../src/core/nameserver.js';

const ns = (kind: NameserverKind, control: string[]) => ({ kind, control });

describe('control argv', () => {
  test('nsd and bind: the prefix, reload/notify, the zone', () => {
    assert.deepEqual(controlArgv(ns('nsd', ['nsd-control', '-c', '/etc/nsd/nsd.conf']), 'reload', 'example.com'), ['nsd-control', '-c', '/etc/nsd/nsd.conf', 'reload', 'example.com']);
    assert.deepEqual(controlArgv(ns('nsd', ['nsd-control']), 'notify', 'example.com'), ['nsd-control', 'notify', 'example.com']);
    assert.deepEqual(controlArgv(ns('bind', ['rndc']), 'reload', 'example.com'), ['rndc', 'reload', 'example.com']);
    assert.deepEqual(controlArgv(ns('bind', ['rndc', '-c', '/etc/bind/rndc.conf']), 'notify', 'example.com'), ['rndc', '-c', '/etc/bind/rndc.conf', 'notify', 'example.com']);
  });

  test('knot: zone-reload and zone-notify after the configured prefix', () => {
    assert.deepEqual(controlArgv(ns('knot', ['knotc']), 'reload', 'example.com'), ['knotc', 'zone-reload', 'example.com']);
    assert.deepEqual(controlArgv(ns('knot', ['knotc']), 'notify', 'example.com'), ['knotc', 'zone-notify', 'example.com']);
    assert.deepEqual(controlArgv(ns('knot', ['knotc', '-c', '/etc/knot/knot.conf']), 'reload', 'example.com'), ['knotc', '-c', '/etc/knot/knot.conf', 'zone-reload', 'example.com']);
    assert.deepEqual(controlArgv(ns('knot', ['knotc', '-s', '/run/knot/knot.sock']), 'notify', 'example.com'), ['knotc', '-s', '/run/knot/knot.sock', 'zone-notify', 'example.com']);
  });

  test('none: no command', () => {
    assert.equal(controlArgv(ns('none', []), 'reload', 'example.com'), undefined);
  });
});

describe('the control command\'s status, for zonerw check', () => {
  test('nsd-control status, rndc status, knotc status after the configured prefix; none for kind none', () => {
    assert.deepEqual(statusArgv(ns('nsd', ['nsd-control', '-c', '/etc/nsd/nsd.conf'])), ['nsd-control', '-c', '/etc/nsd/nsd.conf', 'status']);
    assert.deepEqual(statusArgv(ns('bind', ['rndc'])), ['rndc', 'status']);
    assert.deepEqual(statusArgv(ns('knot', ['knotc'])), ['knotc', 'status']);
    assert.equal(statusArgv(ns('none', [])), undefined);
  });
});

describe('a control command that fails on its keys or socket: what the user needs', () => {
  // The words each tool says, as seen on Debian 12 run as a user without the right.
  const cases: [NameserverKind, string, RegExp | undefined][] = [
    ['nsd', 'error: Error setting up SSL_CTX client cert\n/etc/nsd/nsd_control.pem: (null)', /^zonerw needs read access to nsd-control's key and certificates \(nsd_control\.key, nsd_control\.pem and nsd_server\.pem.*adduser zonerw nsd\)$/],
    ['nsd', 'error: connect (/run/nsd/nsd.ctl): Permission denied', /^zonerw needs access to NSD's control socket, which NSD gives to its own group: adduser zonerw nsd$/],
    ['nsd', 'error: connect (/run/nsd/nsd.ctl): Connection refused', undefined],
    ['nsd', 'error: connect (127.0.0.1@8952): Connection refused', undefined],
    ['bind', 'rndc: error: open: /etc/bind/rndc.key: permission denied\nrndc: could not load rndc configuration', /^zonerw needs read access to rndc's key \(\/etc\/bind\/rndc\.key is bind:bind 0640 on Debian\): adduser zonerw bind$/],
    ['bind', 'rndc: connect failed: 127.0.0.1#953: connection refused', undefined],
    ['knot', "warning: config, database storage '/var/lib/knot' not writable\nerror: failed to connect to socket '/run/knot/knot.sock' (operation not permitted)", /^zonerw needs access to knotc's config and Knot's control socket \(group knot on Debian\): adduser zonerw knot$/],
    ['knot', "error: failed to connect to socket '/run/knot/knot.sock' (not exists)", undefined],
  ];
  for (const [kind, words, hint] of cases) {
    test(`${kind}: ${words.split('\n').at(-1)}`, () => {
      const got = controlAccessHint(kind, words, 'zonerw');
      if (hint === undefined) assert.equal(got, undefined);
      else assert.match(got ?? '', hint);
    });
  }
});

describe('one profile a kind', () => {
  test('the kinds are the table\'s keys', () => {
    assert.deepEqual(KINDS, Object.keys(PROFILES));
    assert.deepEqual(KINDS, ['nsd', 'bind', 'knot', 'none']);
  });

  test('bind checks a zone as named loads a primary zone: check-names fail (-k fail), integrity in the zone (-i local)', () => {
    const argv = profile('bind').checkers.map((c) => c.argv('example.com', '/z/example.com'));
    assert.deepEqual(argv, [['named-checkzone', '-k', 'fail', '-i', 'local', 'example.com', '/z/example.com']]);
  });

  test('the other kinds keep each checker\'s own name checks (NSD and Knot check no host names)', () => {
    assert.deepEqual(profile('nsd').checkers.map((c) => c.argv('e.com', 'f')), [['nsd-checkzone', 'e.com', 'f']]);
    assert.deepEqual(profile('knot').checkers.map((c) => c.argv('e.com', 'f')), [['kzonecheck', '-v', '-o', 'e.com', 'f'], ['named-checkzone', '-i', 'local', 'e.com', 'f'], ['nsd-checkzone', 'e.com', 'f']]);
    assert.deepEqual(profile('none').checkers.map((c) => c.program), ['named-checkzone', 'nsd-checkzone']);
  });

  test('batching, include rules and package hints come from the profile', () => {
    assert.deepEqual(KINDS.map((k) => profile(k).batching), ['all', 'one', 'list', 'one']);
    assert.deepEqual(KINDS.map((k) => profile(k).includesFrom), ['folder', 'folder', 'including file', 'folder']);
    assert.match(profile('knot').includeDirProblem ?? '', /remove include_dir/);
    assert.match(missingCheckerAdvice('bind'), /named-checkzone: .*apt-get install bind9-utils$/);
    assert.match(missingCheckerAdvice('knot'), /kzonecheck, named-checkzone or nsd-checkzone: .*apt-get install knot-dnssecutils$/);
  });
});

describe('a control command whose key does not exist: how to make it', () => {
  test('nsd: a missing nsd_control.key or .pem -> nsd-control-setup (a present one that cannot be read: access)', () => {
    const words = 'error: Error setting up SSL_CTX client cert\n/etc/nsd/nsd_control.pem: (null)';
    assert.match(controlAccessHint('nsd', words, 'zonerw', (p) => p === '/etc/nsd/nsd_control.pem') ?? '', /^\/etc\/nsd\/nsd_control\.pem does not exist: create nsd-control's keys and certificates with nsd-control-setup/);
    assert.match(controlAccessHint('nsd', words, 'zonerw', () => false) ?? '', /^zonerw needs read access/);
  });

  test('bind: no rndc.key -> rndc-confgen -a', () => {
    const words = 'rndc: neither /etc/bind/rndc.conf nor /etc/bind/rndc.key was found';
    assert.match(controlAccessHint('bind', words, 'zonerw') ?? '', /rndc-confgen -a/);
  });
});
