/** How the panel writes values: sizes, times, JSON, cells. */

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

export function clock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function ago(ms: number | null, now = Date.now()): string {
  if (ms === null) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s ago`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ago`;
}

/** Compact JSON, cut at `max` characters (the full text goes in a tooltip). */
export function json(value: unknown, max = 160): { text: string; full: string } {
  let full: string;
  try {
    full = JSON.stringify(value) ?? String(value);
  } catch {
    full = String(value);
  }
  return { text: full.length > max ? `${full.slice(0, max - 1)}…` : full, full };
}

/** A cell's text: strings as they are, everything else as JSON. */
export function cell(value: unknown): { text: string; full: string; kind: string } {
  if (value === null || value === undefined) return { text: 'null', full: 'null', kind: 'null' };
  if (typeof value === 'string') {
    return { text: value.length > 120 ? `${value.slice(0, 119)}…` : value, full: value, kind: 'str' };
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return { text: String(value), full: String(value), kind: typeof value === 'number' ? 'num' : 'bool' };
  }
  return { ...json(value, 120), kind: 'obj' };
}
