import { useEffect, useState } from 'react';
import { useQuery, useResource, useSSSync } from 'sssync/react';
import type { BooksClient } from './client';

const LIBRARIES: Record<string, string> = { city: 'City Library', campus: 'Campus Library' };

/**
 * A public library's shelf: `temporary('/api/library/:id', { refreshSeconds: 3 })` through
 * `useResource` — memory only, fetched again every 3 seconds while this view is open.
 */
export function LibraryView({ libraryId, onChange }: { libraryId: string; onChange: (id: string) => void }) {
  const { query } = useSSSync<BooksClient>();
  const shelf = useResource({
    path: '/api/library/:id',
    params: { id: libraryId },
    temporary: true,
    refreshSeconds: 3,
  });
  const books = useQuery(query.libraryBooks.where('libraryId', '=', libraryId).orderBy('title'));
  const ago = useSecondsSince(shelf.lastRefreshAt);

  return (
    <section className="panel">
      <div className="panel-head">
        <div>
          <h1>{LIBRARIES[libraryId] ?? 'Library'}</h1>
          <p className="muted" data-testid="library-refreshed">
            {shelf.status === 'error'
              ? `Can't reach the library right now${shelf.lastRefreshAt ? ' — showing the last shelf' : ''}.`
              : shelf.lastRefreshAt === null
                ? 'Loading the shelf…'
                : `Live from the server · checked ${ago < 2 ? 'just now' : `${ago}s ago`}`}
          </p>
        </div>
        <label className="field inline">
          <span>Library</span>
          <select value={libraryId} aria-label="Library" onChange={(e) => onChange(e.target.value)}>
            {Object.entries(LIBRARIES).map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {books.length === 0 ? (
        <div className="empty">
          {shelf.status === 'error' ? (
            <p>The library's shelf is only available online.</p>
          ) : shelf.status === 'loading' ? (
            <p>Loading the shelf…</p>
          ) : (
            <p>This shelf is empty.</p>
          )}
        </div>
      ) : (
        <table className="shelf" aria-label="Library shelf">
          <thead>
            <tr>
              <th>Title</th>
              <th>Author</th>
              <th className="num">Pages</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {books.map((b) => (
              <tr key={b.id} data-testid="library-book">
                <td className="book-title">{b.title}</td>
                <td>{b.author}</td>
                <td className="num">{b.pageCount.toLocaleString('en')}</td>
                <td>
                  <span className={`pill ${b.available ? 'pill-ok' : 'pill-out'}`}>
                    {b.available ? 'On the shelf' : 'On loan'}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function useSecondsSince(at: number | null): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return at === null ? 0 : Math.max(0, Math.round((now - at) / 1000));
}
