/** What one run measures: sizes and rounds for the full run, or small ones for `--quick` (CI). */
export interface Config {
  readonly quick: boolean;
  /** The row count of the "large" cases (100k; 10k when quick). */
  readonly large: number;
  /** The row count of the "small" cases (1k). */
  readonly small: number;
  /** The row count B11 scales to (1M; 10k when quick). */
  readonly huge: number;
  readonly rounds: number;
  readonly log: (line: string) => void;
}

export function config(argv: readonly string[]): Config {
  const quick = argv.includes('--quick');
  return {
    quick,
    large: quick ? 10_000 : 100_000,
    small: 1_000,
    huge: quick ? 10_000 : 1_000_000,
    rounds: quick ? 2 : 3,
    log: (line) => console.log(line),
  };
}

export const k = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));
