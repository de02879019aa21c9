// The control command's argv per nameserver kind.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { controlAccessHint, controlArgv, statusArgv, type NameserverKind } from '../../src/core/nameserver.js';

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
