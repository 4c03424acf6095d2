/**
 * /proc/net/tcp and /proc/net/tcp6, as the kernel writes them (net/ipv4/tcp_ipv4.c): one socket per
 * line, addresses as hex `ADDR:PORT` where ADDR is the raw in-memory address printed as 32-bit
 * words in host byte order (little-endian here) and PORT is big-endian hex.
 */
export type TcpState = 'ESTABLISHED' | 'SYN_SENT' | 'SYN_RECV' | 'FIN_WAIT1' | 'FIN_WAIT2' | 'TIME_WAIT' | 'CLOSE' | 'CLOSE_WAIT' | 'LAST_ACK' | 'LISTEN' | 'CLOSING' | 'NEW_SYN_RECV';
const STATES: Record<string, TcpState> = {
  '01': 'ESTABLISHED', '02': 'SYN_SENT', '03': 'SYN_RECV', '04': 'FIN_WAIT1', '05': 'FIN_WAIT2', '06': 'TIME_WAIT',
  '07': 'CLOSE', '08': 'CLOSE_WAIT', '09': 'LAST_ACK', '0A': 'LISTEN', '0B': 'CLOSING', '0C': 'NEW_SYN_RECV',
};

export interface Endpoint { ip: string; port: number }
export interface TcpSocket { local: Endpoint; remote: Endpoint; state: TcpState; uid: number; inode: number }

export class ProcNetError extends Error {
  constructor(readonly line: number, message: string) { super(message); }
}

/** One 32-bit word as printed by the kernel (%08X of a little-endian u32) → its four bytes in order. */
function wordBytes(hex: string): number[] {
  const v = Number.parseInt(hex, 16);
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

export function decodeAddress(hex: string): string {
  if (hex.length === 8) return wordBytes(hex).join('.');
  if (hex.length !== 32) throw new Error(`address ${hex} is neither 8 nor 32 hex digits`);
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 8) bytes.push(...wordBytes(hex.slice(i, i + 8)));
  // IPv4-mapped (::ffff:a.b.c.d): the v4 address is what the other collectors know the peer by.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return compressV6(groups);
}

/** RFC 5952 text: the longest run of zero groups (two or more) becomes `::`. */
function compressV6(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

function endpoint(text: string, lineNo: number): Endpoint {
  const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(text);
  if (!m) throw new ProcNetError(lineNo, `bad address ${JSON.stringify(text)}`);
  return { ip: decodeAddress(m[1]), port: Number.parseInt(m[2], 16) };
}

/** Parse the whole table; the header line is checked so that another file is not misread. */
export function parseProcNetTcp(text: string): TcpSocket[] {
  const lines = text.split('\n');
  if (!/^\s*sl\s+local_address\s+rem(ote)?_address\s+st\b/.test(lines[0] ?? '')) {
    throw new ProcNetError(1, 'not a /proc/net/tcp table (header sl local_address rem_address st ...)');
  }
  const out: TcpSocket[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const f = line.split(/\s+/);
    if (f.length < 10 || !/^\d+:$/.test(f[0])) throw new ProcNetError(i + 1, `expected at least 10 fields, got ${JSON.stringify(line.slice(0, 80))}`);
    const state = STATES[f[3].toUpperCase()];
    if (!state) throw new ProcNetError(i + 1, `unknown TCP state ${f[3]}`);
    out.push({ local: endpoint(f[1], i + 1), remote: endpoint(f[2], i + 1), state, uid: Number(f[7]), inode: Number(f[9]) });
  }
  return out;
}

/** `socket:[12345]`, the target of a /proc/<pid>/fd link to a socket → its inode. */
export function socketInode(linkTarget: string): number | null {
  const m = /^socket:\[(\d+)\]$/.exec(linkTarget);
  return m ? Number(m[1]) : null;
}
