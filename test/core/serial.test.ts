import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dateIn, dayStart, highestSerial, nextSerial, serialGreater } from '../../src/core/serial.js';

const day = (year: number, month: number, d: number) => ({ year, month, day: d });

test('nextSerial: max(today*100, previous+1), table', () => {
  const rows: [string, number | undefined, ReturnType<typeof day>, number, boolean][] = [
    ['first publication', undefined, day(2026, 11, 22), 2026112200, false],
    ['same day, next change', 2026112200, day(2026, 11, 22), 2026112201, false],
    ['day change resets SS', 2026112207, day(2026, 11, 23), 2026112300, false],
    ['month change', 2026113005, day(2026, 12, 1), 2026120100, false],
    ['year end', 2026123199, day(2027, 1, 1), 2027010100, false],
    ['SS=98 -> 99 still today', 2026112298, day(2026, 11, 22), 2026112299, false],
    ['SS=99 runs into tomorrow, with a warning', 2026112299, day(2026, 11, 22), 2026112300, true],
    ['previous ahead of the date is followed', 2026120105, day(2026, 11, 22), 2026120106, true],
    ['clock stepped back a day', 2026112203, day(2026, 11, 21), 2026112204, true],
    ['state lost: old small serial', 1, day(2026, 11, 22), 2026112200, false],
    ['a hand serial far ahead (3e9) is followed', 3_000_000_000, day(2026, 11, 22), 3_000_000_001, true],
    ['RFC 1982 wrap: 2^32-1 is followed by today', 4_294_967_295, day(2026, 11, 22), 2026112200, false],
  ];
  for (const [name, previous, today, serial, ahead] of rows) {
    assert.deepEqual(nextSerial(previous, today), { serial, aheadOfDate: ahead }, name);
  }
});

test('serialGreater follows RFC 1982 section 3.2', () => {
  assert.equal(serialGreater(2, 1), true);
  assert.equal(serialGreater(1, 2), false);
  assert.equal(serialGreater(0, 4_294_967_295), true, '0 follows 2^32-1');
  assert.equal(serialGreater(4_294_967_295, 0), false);
  assert.equal(serialGreater(5, 5), false);
  // exactly 2^31 apart: undefined, so neither is greater
  assert.equal(serialGreater(0, 2 ** 31), false);
  assert.equal(serialGreater(2 ** 31, 0), false);
});

test('highestSerial uses serial order, not numeric order, across the wrap', () => {
  assert.equal(highestSerial([undefined, undefined]), undefined);
  assert.equal(highestSerial([2026112201, undefined]), 2026112201);
  assert.equal(highestSerial([4_294_967_290, 3]), 3);
  assert.equal(highestSerial([2026112201, 2026112205]), 2026112205);
});

test('dateIn gives the date in the configured zone, whatever TZ says', () => {
  const instant = Date.parse('2026-11-22T23:30:00Z');
  assert.deepEqual(dateIn(instant, 'UTC'), day(2026, 11, 22));
  assert.deepEqual(dateIn(instant, 'Europe/Amsterdam'), day(2026, 11, 23));
  assert.deepEqual(dateIn(instant, 'America/Los_Angeles'), day(2026, 11, 22));
  assert.deepEqual(dateIn(Date.parse('2026-12-31T23:59:59Z'), 'Asia/Tokyo'), day(2027, 1, 1));
  assert.equal(dayStart(day(2026, 1, 2)), 2026010200);
});

test('property: the next serial is always greater (RFC 1982) than the previous', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 4_294_967_295 }),
      fc.date({ min: new Date('1990-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }),
      (previous, when) => {
        const today = dateIn(when.getTime(), 'UTC');
        const { serial } = nextSerial(previous, today);
        // the only undefined case in RFC 1982 is a distance of exactly 2^31
        if ((dayStart(today) - previous) % 2 ** 32 === 2 ** 31) return true;
        return serialGreater(serial, previous);
      },
    ),
  );
});

test('property: a run of publishes over arbitrary clocks never goes backwards', () => {
  fc.assert(
    fc.property(
      fc.array(fc.date({ min: new Date('2020-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }), { minLength: 1, maxLength: 300 }),
      (clocks) => {
        let previous: number | undefined;
        for (const when of clocks) {
          const { serial } = nextSerial(previous, dateIn(when.getTime(), 'UTC'));
          if (previous !== undefined && !serialGreater(serial, previous)) return false;
          previous = serial;
        }
        return true;
      },
    ),
  );
});

test('property: the UTC shortcut of dateIn agrees with Intl', () => {
  fc.assert(
    fc.property(fc.date({ min: new Date('1970-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }), (when) => {
      const parts = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(when);
      const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
      assert.deepEqual(dateIn(when.getTime(), 'UTC'), { year: get('year'), month: get('month'), day: get('day') });
    }),
  );
});
