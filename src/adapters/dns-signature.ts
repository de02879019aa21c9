// The SOA's signatures a nameserver serves: one SOA query with the DO bit (RFC 3225), the
// earliest expiration of the RRSIGs that cover the zone's SOA (RFC 4034 3.1.5), and a DNSKEY
// query beside it for the key set served (its key tags, RFC 4034 Appendix B). For status, to
// see what validating resolvers see. Kept apart from dns-query.ts (which asks without EDNS);
// an answer counts only from the address and port asked, for the question asked (RFC 5452 4).
import { createSocket, type RemoteInfo } from 'node:dgram';
import { isIP } from 'node:net';
import dnsPacket, { type Packet } from 'dns-packet';
import { keyTag } from '../core/served-dnssec.js';
import type { SignatureAnswer } from '../core/signatures.js';

const sameName = (a: string, b: string) => a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();

function sameSource(from: RemoteInfo, address: string, port: number): boolean {
  const plain = (a: string) => (/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a)?.[1] ?? a).toLowerCase();
  return from.port === port && plain(from.address) === plain(address);
}

/**
 * The earliest expiry and the latest inception of the signatures over `zone`'s SOA at host:port
 * (an IP address), and the key tags of the DNSKEY RRset it serves at the apex. Never throws.
 */
export async function askSignatures(host: string, port: number, zone: string, timeoutMs: number): Promise<SignatureAnswer> {
  if (!isIP(host)) return { answered: false, signed: false, problem: `not an IP address: ${host}` };
  const [response, keys] = await Promise.all([ask(host, port, zone, 'SOA', timeoutMs), ask(host, port, zone, 'DNSKEY', timeoutMs)]);
  if (typeof response === 'string') return { answered: false, signed: false, problem: response };
  const rcode = (response as Packet & { rcode?: string }).rcode ?? 'NOERROR';
  if (rcode !== 'NOERROR') return { answered: true, signed: false, problem: rcode };
  let expires: number | undefined;
  let inception: number | undefined;
  for (const a of response.answers ?? []) {
    if (a.type !== 'RRSIG' || !sameName(a.name, zone) || a.data.typeCovered !== 'SOA') continue;
    const t = a.data.expiration * 1000;
    if (expires === undefined || t < expires) expires = t;
    const i = a.data.inception * 1000;
    if (inception === undefined || i > inception) inception = i;
  }
  const keyTags = typeof keys === 'string' || ((keys as Packet & { rcode?: string }).rcode ?? 'NOERROR') !== 'NOERROR' ? undefined : tagsOf(keys, zone);
  const withKeys = keyTags !== undefined ? { keyTags } : {};
  return expires === undefined ? { answered: true, signed: false, ...withKeys } : { answered: true, signed: true, expires, ...(inception !== undefined ? { inception } : {}), ...withKeys };
}

/** The key tags of the DNSKEY records at the apex in an answer (RFC 4034 Appendix B). */
function tagsOf(packet: Packet, zone: string): number[] {
  const tags = new Set<number>();
  for (const a of packet.answers ?? []) {
    if (a.type !== 'DNSKEY' || !sameName(a.name, zone)) continue;
    const d = a.data as { flags: number; algorithm: number; key: Uint8Array };
    tags.add(keyTag(d.flags, 3, d.algorithm, d.key));
  }
  return [...tags].sort((x, y) => x - y);
}

/** One question with DO; the answer from the address asked, for the question asked, or why none came. */
function ask(host: string, port: number, zone: string, type: 'SOA' | 'DNSKEY', timeoutMs: number): Promise<Packet | string> {
  return new Promise<Packet | string>((done) => {
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
        if (r.id === id && r.type === 'response' && r.questions?.length === 1 && q && sameName(q.name, zone) && q.type === type) finish(r);
      } catch {
        // not a DNS message for us: keep waiting until the deadline
      }
    });
    const packet = dnsPacket.encode({
      type: 'query', id, flags: 0,
      questions: [{ type, name: zone, class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, flags: dnsPacket.DNSSEC_OK } as never],
    });
    socket.send(packet, port, host, (err) => err && finish(err.message));
  });
}
