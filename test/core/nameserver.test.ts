// The control command's argv per nameserver kind.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { controlArgv, type NameserverKind } from '../../src/core/nameserver.js';

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
