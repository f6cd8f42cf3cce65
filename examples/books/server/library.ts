/**
 * The public libraries: plain server data in its own SQL table (not synced), served as a REST endpoint
 * that the app loads with `temporary('/api/library/:id')`. Anything that writes this table — an admin
 * tool, `sqlite3` on the file, a test — shows in open apps within one refresh.
 */
import type BetterSqlite3 from 'better-sqlite3';

export interface LibraryBook {
  id: string;
  title: string;
  author: string;
  pageCount: number;
  available: boolean;
}

export const LIBRARIES: Readonly<Record<string, string>> = {
  city: 'City Library',
  campus: 'Campus Library',
};

const SEED: readonly [string, string, string, string, number, boolean?][] = [
  ['city', 'c1', 'The Left Hand of Darkness', 'Ursula K. Le Guin', 304],
  ['city', 'c2', 'The Dispossessed', 'Ursula K. Le Guin', 387],
  ['city', 'c3', 'Middlemarch', 'George Eliot', 880, false],
  ['city', 'c4', 'Beloved', 'Toni Morrison', 324],
  ['city', 'c5', 'Invisible Cities', 'Italo Calvino', 165],
  ['city', 'c6', 'The Remains of the Day', 'Kazuo Ishiguro', 258],
  ['campus', 'u1', 'Gödel, Escher, Bach', 'Douglas Hofstadter', 777],
  ['campus', 'u2', 'The Structure of Scientific Revolutions', 'Thomas S. Kuhn', 264],
  ['campus', 'u3', 'A Pattern Language', 'Christopher Alexander', 1171, false],
  ['campus', 'u4', 'Thinking, Fast and Slow', 'Daniel Kahneman', 499],
];

/** Creates the library table (and fills it the first time). */
export function prepareLibrary(db: BetterSqlite3.Database): void {
  db.exec(`create table if not exists library_shelf (
    id text primary key,
    library_id text not null,
    title text not null,
    author text not null,
    page_count integer not null,
    available integer not null default 1
  )`);
  const { n } = db.prepare('select count(*) as n from library_shelf').get() as { n: number };
  if (n > 0) return;
  const insert = db.prepare(
    'insert into library_shelf (id, library_id, title, author, page_count, available) values (?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (const [library, id, title, author, pages, available = true] of SEED) {
      insert.run(id, library, title, author, pages, available ? 1 : 0);
    }
  })();
}

export function libraryShelf(
  db: BetterSqlite3.Database,
  id: string,
): { id: string; name: string; books: LibraryBook[] } | undefined {
  const name = LIBRARIES[id];
  if (!name) return undefined;
  const rows = db
    .prepare(
      'select id, title, author, page_count as pageCount, available from library_shelf where library_id = ? order by title',
    )
    .all(id) as { id: string; title: string; author: string; pageCount: number; available: number }[];
  return { id, name, books: rows.map((r) => ({ ...r, available: r.available !== 0 })) };
}
