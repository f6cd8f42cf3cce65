/** Generated "books" rows of ~200 bytes of JSON each, the same for every engine (seeded, so runs match). */

/** A type alias, not an interface, so that it fits the record types loaders return. */
export type Book = {
  id: string;
  title: string;
  author: string;
  pageCount: number;
  tags: string[];
  createdAt: string;
  updatedAt: string;
};

const WORDS = ['river', 'glass', 'north', 'ember', 'quiet', 'paper', 'salt', 'orchard', 'winter', 'signal'];
const AUTHORS = ['Ada Byron', 'Octavia Butler', 'Italo Calvino', 'Ursula Le Guin', 'Jorge Borges'];
const TAGS = ['fiction', 'history', 'poetry', 'science', 'travel', 'essays'];
/** Filtered live queries keep rows with pageCount ≥ this (about half of them). */
export const FILTER_MIN = 500;

export const bookID = (i: number): string => `book-${String(i).padStart(7, '0')}`;

/** `n` books; pageCount is uniform in 1..1000. */
export function makeBooks(n: number, seed = 1): Book[] {
  let s = seed >>> 0 || 1;
  const rand = (k: number): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % k;
  };
  const word = () => WORDS[rand(WORDS.length)]!;
  const books: Book[] = [];
  const base = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    const created = new Date(base + rand(365 * 86_400) * 1000).toISOString();
    books.push({
      id: bookID(i),
      title: `The ${word()} of ${word()} and ${word()}`,
      author: AUTHORS[rand(AUTHORS.length)]!,
      pageCount: 1 + rand(1000),
      tags: [TAGS[rand(TAGS.length)]!, TAGS[rand(TAGS.length)]!],
      createdAt: created,
      updatedAt: created,
    });
  }
  return books;
}
