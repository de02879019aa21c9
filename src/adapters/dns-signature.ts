// The SOA's signatures a nameserver serves: one SOA query with the DO bit (RFC 3225), the
// earliest expiration of the RRSIGs that cover the zone's SOA (RFC 4034 3.1.5). For status, to
// see what validating resolvers see. Kept apart from dns-query.ts (which asks without EDNS);
// an answer counts only from the address and port asked, for the question asked (RFC 5452 4).
import { createSocket, type RemoteInfo } from 'node:dgram';
import { isIP } from 'node:net';
import dnsPacket, { type Packet } from 'dns-packet';
import type { SignatureAnswer } from '../core/signatures.js';

const sameName = (a: string, b: string) => a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();

function sameSource(from: RemoteInfo, address: string, port: number): boolean {
  const plain = (a: string) => (/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a)?.[1] ?? a).toLowerCase();
  return from.port === port && plain(from.address) === plain(address);
}

/** The earliest expiry of the signatures over `zone`'s SOA at host:port (an IP address). Never throws. */
export async function askSignatures(host: string, port: number, zone: string, timeoutMs: number): Promise<SignatureAnswer> {
  if (!isIP(host)) return { answered: false, signed: false, problem: `not an IP address: ${host}` };
  const response = await new Promise<Packet | string>((done) => {
    const id = Math.floor(Math.random() * 65536);
    const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    let finished = false;
    const finish = (r: Packet | string) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.close();
      done(r);
    };
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.on('error', (e) => finish(e.message));
    socket.on('message', (msg, from) => {
      if (!sameSource(from, host, port)) return;
      try {
        const r = dnsPacket.decode(msg);
        const q = r.questions?.[0];
        if (r.id === id && r.type === 'response' && r.questions?.length === 1 && q && sameName(q.name, zone) && q.type === 'SOA') finish(r);
      } catch {
        // not a DNS message for us: keep waiting until the deadline
      }
    });
    const packet = dnsPacket.encode({
      type: 'query', id, flags: 0,
      questions: [{ type: 'SOA', name: zone, class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, flags: dnsPacket.DNSSEC_OK } as never],
    });
    socket.send(packet, port, host, (err) => err && finish(err.message));
  });
  if (typeof response === 'string') return { answered: false, signed: false, problem: response };
  const rcode = (response as Packet & { rcode?: string }).rcode ?? 'NOERROR';
  if (rcode !== 'NOERROR') return { answered: true, signed: false, problem: rcode };
  let expires: number | undefined;
  for (const a of response.answers ?? []) {
    if (a.type !== 'RRSIG' || !sameName(a.name, zone) || a.data.typeCovered !== 'SOA') continue;
    const t = a.data.expiration * 1000;
    if (expires === undefined || t < expires) expires = t;
  }
  return expires === undefined ? { answered: true, signed: false } : { answered: true, signed: true, expires };
}
