// The DNS port against a nameserver on loopback that answers what each test tells it to: the SOA
// serial, A and AAAA answers, glue in a referral, error codes, silence (the hard timeout).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { askZone, queryAddresses } from '../../src/adapters/dns-query.js';

type Answer = dnsPacket.Answer;

describe('dns-query', () => {
  let server: Socket;
  let port = 0;
  let silent = 0;
  const questions: string[] = [];
  /** what the fake answers: rcode and records, by "name TYPE" */
  const zone: Record<string, { rcode?: string; answers?: Answer[]; authorities?: Answer[]; additionals?: Answer[] }> = {};

  before(async () => {
    server = createSocket('udp4');
    server.on('message', (msg, rinfo) => {
      const q = dnsPacket.decode(msg);
      const question = q.questions![0]!;
      questions.push(`${question.name} ${question.type}`);
      if (question.name.startsWith('silent')) {
        silent++;
        return;
      }
      const r = zone[`${question.name.toLowerCase()} ${question.type}`] ?? { rcode: 'REFUSED' };
      const reply = dnsPacket.encode({
        type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER | (r.rcode === 'SERVFAIL' ? 2 : r.rcode === 'REFUSED' ? 5 : 0),
        questions: q.questions, answers: r.answers ?? [], authorities: r.authorities ?? [], additionals: r.additionals ?? [],
      });
      server.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((ok) => server.bind(0, '127.0.0.1', ok));
    port = server.address().port;
    const soa = (serial: number): Answer => ({ type: 'SOA', name: 'example.test', ttl: 300, data: { mname: 'ns1.example.test', rname: 'h.example.test', serial, refresh: 1, retry: 2, expire: 3, minimum: 4 } });
    zone['example.test SOA'] = { answers: [soa(2026112202)] };
    zone['www.example.test A'] = { answers: [{ type: 'A', name: 'www.example.test', ttl: 300, data: '198.51.100.7' }, { type: 'A', name: 'www.example.test', ttl: 300, data: '203.0.113.80' }] };
    zone['www.example.test AAAA'] = { answers: [{ type: 'AAAA', name: 'www.example.test', ttl: 300, data: '2001:db8::7' }] };
    zone['ns.sub.example.test A'] = {
      authorities: [{ type: 'NS', name: 'sub.example.test', ttl: 300, data: 'ns.sub.example.test' }],
      additionals: [{ type: 'A', name: 'ns.sub.example.test', ttl: 300, data: '192.0.2.53' }],
    };
    zone['broken.test SOA'] = { rcode: 'SERVFAIL' };
    zone['nosoa.test SOA'] = { answers: [] };
  });
  after(() => server.close());

  test('askZone: the SOA serial, then the addresses of each name, as served', async () => {
    const a = await askZone('127.0.0.1', port, 'example.test', [{ name: 'www.example.test', type: 'A' }, { name: 'www.example.test', type: 'AAAA' }, { name: 'ns.sub.example.test', type: 'A' }, { name: 'gone.example.test', type: 'A' }], 1000);
    assert.deepEqual(a, {
      serial: 2026112202,
      answered: true,
      addresses: [
        { name: 'www.example.test', type: 'A', addresses: ['198.51.100.7', '203.0.113.80'] },
        { name: 'www.example.test', type: 'AAAA', addresses: ['2001:db8::7'] },
        { name: 'ns.sub.example.test', type: 'A', addresses: ['192.0.2.53'] }, // glue in a referral
        { name: 'gone.example.test', type: 'A', addresses: [] },
      ],
    });
  });

  test('askZone: an error rcode or a missing SOA is an answer without a serial (the names, asked at the same time, do not count)', async () => {
    questions.length = 0;
    assert.deepEqual(await askZone('127.0.0.1', port, 'broken.test', [{ name: 'www.broken.test', type: 'A' }], 1000), { problem: 'SERVFAIL', answered: true, addresses: [] });
    assert.deepEqual(questions.sort(), ['broken.test SOA', 'www.broken.test A']);
    assert.deepEqual(await askZone('127.0.0.1', port, 'nosoa.test', [], 1000), { problem: 'no SOA in the answer', answered: true, addresses: [] });
    assert.deepEqual(await askZone('127.0.0.1', port, 'other.test', [], 1000), { problem: 'REFUSED', answered: true, addresses: [] });
  });

  test('silence: a hard timeout, and "answered: false"', async () => {
    const t0 = Date.now();
    assert.deepEqual(await askZone('127.0.0.1', port, 'silent.test', [], 300), { problem: 'no answer within 300ms', answered: false, addresses: [] });
    const took = Date.now() - t0;
    assert.ok(took >= 290, `took ${took} ms`); // no upper bound on a loaded machine: silence, so only the deadline ends it
    assert.equal(silent, 1);
    const nobody = await (async () => {
      const s = createSocket('udp4');
      await new Promise<void>((ok) => s.bind(0, '127.0.0.1', ok));
      const p = s.address().port;
      s.close();
      return p;
    })();
    assert.equal((await askZone('127.0.0.1', nobody, 'example.test', [], 200)).answered, false, 'nothing listens');
    assert.deepEqual(await queryAddresses('127.0.0.1', port, 'silent.example.test', 'A', 100), { name: 'silent.example.test', type: 'A', addresses: [], error: 'no answer within 100ms' });
  });
});

describe('an answer counts only from where it was asked, for the question asked', () => {
  let server: Socket;
  let stranger: Socket;
  const sent: string[] = [];

  before(async () => {
    server = createSocket('udp4');
    stranger = createSocket('udp4');
    await new Promise<void>((ok) => stranger.bind(0, '127.0.0.1', ok));
    server.on('message', (msg, rinfo) => {
      const q = dnsPacket.decode(msg);
      const question = q.questions![0]!;
      const soa = (name: string, serial: number): Answer => ({ type: 'SOA', name, ttl: 300, data: { mname: 'ns1.example.test', rname: 'h.example.test', serial, refresh: 1, retry: 2, expire: 3, minimum: 4 } });
      const reply = (questions: dnsPacket.Question[], serial: number, name = question.name) =>
        dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions, answers: [soa(name, serial)] });
      // 1. the right id and question, from another port (an off-path spoofer that guessed the id)
      stranger.send(reply(q.questions!, 1111), rinfo.port, rinfo.address, () => {
        sent.push('stranger');
        // 2. from the right address and port, with the right id, for another question
        server.send(reply([{ type: 'SOA', name: 'other.test', class: 'IN' }], 2222, 'other.test'), rinfo.port, rinfo.address, () => {
          sent.push('wrong question');
          // 3. another type, then the real answer
          server.send(reply([{ type: 'A', name: question.name, class: 'IN' }], 3333), rinfo.port, rinfo.address, () => {
            sent.push('wrong type');
            setTimeout(() => server.send(reply(q.questions!, 2026112202), rinfo.port, rinfo.address), 50);
          });
        });
      });
    });
    await new Promise<void>((ok) => server.bind(0, '127.0.0.1', ok));
  });
  after(() => {
    server.close();
    stranger.close();
  });

  test('a wrong-source and a wrong-question reply with the right id are ignored; the real answer is taken', async () => {
    const a = await askZone('127.0.0.1', server.address().port, 'Example.Test', [], 5000);
    assert.deepEqual(sent, ['stranger', 'wrong question', 'wrong type'], 'the impostors were sent first');
    assert.deepEqual(a, { serial: 2026112202, answered: true, addresses: [] });
  });
});
