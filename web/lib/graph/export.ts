/**
 * Exports as pure functions over plain data: the SVG is drawn from the positions and computed
 * colours Cytoscape reports (it has no SVG renderer of its own), the CSV from any list of rows.
 */
export interface SvgNode {
  id: string; x: number; y: number; w: number; h: number; fill: string; stroke: string; label: string; shape: string; opacity: number; compound: boolean;
  /** Border width, and a second border inside it for groups (Cytoscape's `double`). */
  strokeWidth?: number; double?: boolean;
  /** The ring of an incident or change (Cytoscape's outline), drawn outside the border. */
  ring?: { color: string; width: number; offset: number; dash: string } | null;
}
export interface SvgEdge { x1: number; y1: number; x2: number; y2: number; stroke: string; width: number; dash: string; opacity: number; /** Drawn with an arrowhead at the target (relations read from source to target). */ arrow?: boolean }

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n2 = (v: number) => Math.round(v * 10) / 10;

export function toSvg(nodes: readonly SvgNode[], edges: readonly SvgEdge[], title = 'servicegraph map'): string {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const n of nodes) {
    minX = Math.min(minX, n.x - n.w / 2); maxX = Math.max(maxX, n.x + n.w / 2);
    minY = Math.min(minY, n.y - n.h / 2); maxY = Math.max(maxY, n.y + n.h / 2 + 14);
  }
  if (!nodes.length) { minX = minY = 0; maxX = maxY = 10; }
  const pad = 20;
  const vb = [n2(minX - pad), n2(minY - pad), n2(maxX - minX + 2 * pad), n2(maxY - minY + 2 * pad)];
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${vb.join(' ')}" width="${vb[2]}" height="${vb[3]}" font-family="sans-serif">`,
    `<title>${esc(title)}</title>`,
    `<rect x="${vb[0]}" y="${vb[1]}" width="${vb[2]}" height="${vb[3]}" fill="#ffffff"/>`,
  ];
  // Compound boxes first (behind), then edges, then nodes with their labels.
  for (const n of nodes.filter((n) => n.compound)) {
    parts.push(`<rect x="${n2(n.x - n.w / 2)}" y="${n2(n.y - n.h / 2)}" width="${n2(n.w)}" height="${n2(n.h)}" rx="6" fill="${esc(n.fill)}" fill-opacity="0.5" stroke="${esc(n.stroke)}" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${n2(n.x)}" y="${n2(n.y - n.h / 2 + 12)}" font-size="11" text-anchor="middle" font-weight="bold">${esc(n.label)}</text>`);
  }
  // One arrowhead marker per edge colour (markers take their colour from their own fill).
  const markers = new Map<string, string>();
  for (const e of edges) if (e.arrow && !markers.has(e.stroke)) markers.set(e.stroke, `arrow-${markers.size}`);
  if (markers.size) {
    parts.push('<defs>');
    for (const [colour, id] of markers) parts.push(`<marker id="${id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" markerUnits="strokeWidth" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${esc(colour)}"/></marker>`);
    parts.push('</defs>');
  }
  parts.push('<g stroke-linecap="round">');
  for (const e of edges) {
    const dash = e.dash ? ` stroke-dasharray="${e.dash}"` : '';
    const op = e.opacity < 1 ? ` stroke-opacity="${n2(e.opacity)}"` : '';
    const arrow = e.arrow ? ` marker-end="url(#${markers.get(e.stroke)})"` : '';
    parts.push(`<line x1="${n2(e.x1)}" y1="${n2(e.y1)}" x2="${n2(e.x2)}" y2="${n2(e.y2)}" stroke="${esc(e.stroke)}" stroke-width="${n2(e.width)}"${dash}${op}${arrow}/>`);
  }
  parts.push('</g>');
  for (const n of nodes.filter((n) => !n.compound)) {
    const op = n.opacity < 1 ? ` opacity="${n2(n.opacity)}"` : '';
    if (n.ring) {
      const r = n.ring, grow = r.offset + r.width / 2;
      const dash = r.dash ? ` stroke-dasharray="${r.dash}"` : '';
      parts.push(`<${shapeTag(n, grow)} fill="none" stroke="${esc(r.color)}" stroke-width="${n2(r.width)}"${dash} class="ring"/>`);
    }
    const sw = n.strokeWidth ?? 1;
    parts.push(`<${shapeTag(n, 0)} fill="${esc(n.fill)}" stroke="${esc(n.stroke)}" stroke-width="${n2(sw)}"${op}/>`);
    if (n.double) parts.push(`<${shapeTag(n, -sw * 1.5)} fill="none" stroke="${esc(n.stroke)}" stroke-width="${n2(Math.max(1, sw / 3))}"${op}/>`);
    parts.push(`<text x="${n2(n.x)}" y="${n2(n.y + n.h / 2 + 11 + (n.ring ? n.ring.offset + n.ring.width : 0))}" font-size="10" text-anchor="middle"${op}>${esc(n.label)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** The node's outline grown by `grow` on every side (negative: inside), as an SVG element without its paint. */
function shapeTag(n: SvgNode, grow: number): string {
  const w = n.w / 2 + grow, h = n.h / 2 + grow;
  if (n.shape === 'ellipse') return `ellipse cx="${n2(n.x)}" cy="${n2(n.y)}" rx="${n2(w)}" ry="${n2(h)}"`;
  if (n.shape === 'diamond') return `polygon points="${n2(n.x)},${n2(n.y - h)} ${n2(n.x + w)},${n2(n.y)} ${n2(n.x)},${n2(n.y + h)} ${n2(n.x - w)},${n2(n.y)}"`;
  return `rect x="${n2(n.x - w)}" y="${n2(n.y - h)}" width="${n2(2 * w)}" height="${n2(2 * h)}" rx="${n.shape.startsWith('round') ? 4 : 0}"`;
}

/** RFC 4180 CSV; a cell starting with = + - @ is prefixed with ' so spreadsheets do not run it. */
export function toCsv<T extends object>(columns: readonly (keyof T & string)[], rows: readonly T[]): string {
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' > ') : String(v);
    if (/^[=+\-@]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}

export function download(name: string, data: Blob | string, type = 'text/plain'): void {
  const blob = typeof data === 'string' ? new Blob([data], { type }) : data;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
