// The address of the client a request came from, for throttling. Behind a load balancer or reverse proxy the
// socket's peer is the proxy, and the client is in `X-Forwarded-For` — but anyone can send that header, so it
// is read only as far as the proxies this server is told to trust (--trusted-proxies):
//   - a hop count N: the N proxies nearest to this server are trusted (one load balancer: 1);
//   - addresses and CIDR blocks: every hop from such an address is trusted.
// The chain is walked from this server outwards: the socket's peer, then the `X-Forwarded-For` entries from
// right (added by the nearest proxy) to left. The client is the first hop not vouched for by a trusted one.
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** What --trusted-proxies says, as configuration: a hop count, or addresses and CIDR blocks. */
export type TrustedProxies = { hops: number } | { networks: string[] };

/** Parses the setting's text; throws a RangeError naming what is wrong. Empty: no proxy is trusted. */
export function parseTrustedProxies(text: string): TrustedProxies | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed);
    if (hops < 1 || hops > 100) throw new RangeError(`a hop count must be from 1 to 100, got '${trimmed}'`);
    return { hops };
  }
  const networks = trimmed.split(',').map((entry) => entry.trim());
  for (const network of networks) toSubnet(network);
  return { networks };
}

function toSubnet(network: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const slash = network.indexOf('/');
  const address = slash === -1 ? network : network.slice(0, slash);
  const version = isIP(address);
  if (version === 0) throw new RangeError(`'${network}' is neither an IP address nor a CIDR block (like 10.0.0.0/8 or fd00::/8)`);
  const bits = version === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(bits) : network.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!/^\d+$/.test(prefixText) || prefix > bits) throw new RangeError(`'${network}': the prefix length must be from 0 to ${bits}`);
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is 10.0.0.1. */
function normalized(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/** An `X-Forwarded-For` entry as an address: some proxies add a port (`1.2.3.4:5678`, `[2001:db8::1]:443`). */
function forwardedAddress(entry: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  const candidate = bracketed ? bracketed[1]! : /^\d+\.\d+\.\d+\.\d+:\d+$/.test(entry) ? entry.slice(0, entry.lastIndexOf(':')) : entry;
  return isIP(candidate) === 0 ? undefined : normalized(candidate);
}

/** Builds the function that names a request's client under `trusted`. */
export function clientAddressResolver(trusted: TrustedProxies | undefined): (req: IncomingMessage) => string {
  const peerOf = (req: IncomingMessage) => normalized(req.socket.remoteAddress ?? 'unknown');
  if (!trusted) return peerOf;
  let isTrusted: (address: string, hop: number) => boolean;
  if ('hops' in trusted) {
    isTrusted = (_address, hop) => hop < trusted.hops;
  } else {
    const list = new BlockList();
    for (const { address, prefix, family } of trusted.networks.map(toSubnet)) list.addSubnet(address, prefix, family);
    isTrusted = (address) => list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
  return (req) => {
    let client = peerOf(req);
    const forwarded = req.headersDistinct['x-forwarded-for'];
    if (!forwarded) return client;
    // Every X-Forwarded-For line in order, then its entries nearest-first.
    const entries = forwarded.join(',').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '').reverse();
    for (let hop = 0; hop < entries.length && isIP(client) !== 0 && isTrusted(client, hop); hop++) {
      const next = forwardedAddress(entries[hop]!);
      // A malformed entry ends the walk: the last address we could vouch for stands.
      if (next === undefined) break;
      client = next;
    }
    return client;
  };
}
