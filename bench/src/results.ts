/** The results: the JSON of issue 7, the printed table (peers as ratios to SSSync) and the goal checks. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Stats } from './harness.js';

export const PEERS = ['replicache', 'tanstack-db', 'rxdb', 'dexie'] as const;
export type PeerName = (typeof PEERS)[number];

export interface Result {
  id: string;
  name: string;
  unit: string;
  better: 'lower' | 'higher';
  sssync: number | null;
  peers: Partial<Record<PeerName, number | null>>;
  /** The goal's bound on `sssync` (≤ for lower, ≥ for higher), if it has one. */
  goal: number | null;
  /** The whole goal as the issue states it, and whether this run met it (null: not measured). */
  goalText?: string;
  met?: boolean | null;
  p95?: { sssync: number | null; peers: Partial<Record<PeerName, number | null>> };
  /** Why a cell is empty, or how it was measured. */
  notes?: Record<string, string>;
}

const round = (x: number): number => (Math.abs(x) >= 100 ? Math.round(x) : Number(x.toPrecision(3)));

/** A result from interleaved stats: medians as values, p95 beside them. */
export function fromStats(
  base: Omit<Result, 'sssync' | 'peers' | 'p95'>,
  stats: Record<string, Stats | null>,
  scale = 1,
): Result {
  const pick = (s: Stats | null | undefined, k: 'median' | 'p95') => (s ? round(s[k] * scale) : null);
  const peers: Result['peers'] = {};
  const p95: Result['peers'] = {};
  for (const p of PEERS) {
    if (!(p in stats)) continue;
    peers[p] = pick(stats[p], 'median');
    p95[p] = pick(stats[p], 'p95');
  }
  return {
    ...base,
    sssync: pick(stats.sssync, 'median'),
    peers,
    p95: { sssync: pick(stats.sssync, 'p95'), peers: p95 },
  };
}

/** How many times better SSSync is than `peer` (> 1: SSSync ahead). */
export function ratio(r: Result, peer: number | null | undefined): number | null {
  if (r.sssync === null || peer === null || peer === undefined || r.sssync === 0 || peer === 0) return null;
  return r.better === 'lower' ? peer / r.sssync : r.sssync / peer;
}

export function withinGoal(r: Result): boolean | null {
  if (r.goal === null || r.sssync === null) return null;
  return r.better === 'lower' ? r.sssync <= r.goal : r.sssync >= r.goal;
}

export function table(results: readonly Result[]): string {
  const head = ['id', 'what', 'unit', 'sssync', ...PEERS, 'goal', 'met'];
  const rows = results.map((r) => [
    r.id,
    r.name,
    r.unit,
    r.sssync === null ? '—' : String(r.sssync),
    ...PEERS.map((p) => {
      const v = r.peers[p];
      if (v === undefined || v === null) return '—';
      const x = ratio(r, v);
      return x === null ? String(v) : `${v} (${x.toPrecision(2)}×)`;
    }),
    r.goalText ?? '',
    r.met === undefined || r.met === null ? '' : r.met ? 'yes' : 'NO',
  ]);
  const lines = [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return [
    lines.join('\n'),
    '',
    'Peer cells: median (SSSync is N× better; below 1× the peer is ahead). Median of interleaved rounds; p95 in the JSON.',
  ].join('\n');
}

export function writeJSON(path: string, results: readonly Result[], extra: Record<string, unknown>): void {
  mkdirSync(dirname(path), { recursive: true });
  const body = { generatedAt: new Date().toISOString(), node: process.version, ...extra, results };
  writeFileSync(path, `${JSON.stringify(body, null, 2)}\n`);
}
