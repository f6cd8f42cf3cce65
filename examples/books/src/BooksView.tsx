import { useState } from 'react';
import { useQuery, useQueryState, useResource, useSSSync } from 'sssync/react';
import { BookEditor, type EditTarget } from './BookEditor';
import type { BooksClient } from './client';

type Sort = 'title' | 'pageCount' | 'newest';

const SORTS: Record<Sort, string> = { title: 'Title (A–Z)', pageCount: 'Most pages', newest: 'Newest first' };

export function BooksView() {
  const { query } = useSSSync<BooksClient>();
  const resource = useResource('/user/books');
  const [minPages, setMinPages] = useState(0);
  const [sort, setSort] = useState<Sort>('newest');
  const [editing, setEditing] = useState<EditTarget>();

  const filtered = query.books.where('pageCount', '>=', minPages).related('author');
  const sorted =
    sort === 'title'
      ? filtered.orderBy('title')
      : sort === 'pageCount'
        ? filtered.orderBy('pageCount', 'desc')
        : filtered.orderBy('createdAt', 'desc');
  const { data: books, status } = useQueryState(sorted);
  const total = useQuery(query.books).length;
  const authors = useQuery(query.authors.orderBy('name').related('books'));

  const loading = status === 'loading' || (resource.status === 'loading' && total === 0);

  return (
    <div className="books-layout">
      <section className="panel">
        <div className="panel-head">
          <div>
            <h1>My books</h1>
            <p className="muted">
              {total === 0 ? 'Nothing on your shelf yet.' : `${books.length} of ${total} shown`}
            </p>
          </div>
          <button type="button" className="primary" onClick={() => setEditing({ kind: 'new' })}>
            + Add book
          </button>
        </div>

        <div className="toolbar">
          <label className="field inline">
            <span>At least</span>
            <input
              type="range"
              min={0}
              max={1000}
              step={10}
              value={minPages}
              aria-label="Minimum pages (slider)"
              onChange={(e) => setMinPages(Number(e.target.value))}
            />
            <input
              type="number"
              min={0}
              className="narrow"
              value={minPages}
              aria-label="Minimum pages"
              onChange={(e) => setMinPages(Math.max(0, Number(e.target.value) || 0))}
            />
            <span>pages</span>
          </label>
          <label className="field inline">
            <span>Sort</span>
            <select value={sort} aria-label="Sort" onChange={(e) => setSort(e.target.value as Sort)}>
              {Object.entries(SORTS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </div>

        {loading ? (
          <div className="empty">Loading your books…</div>
        ) : resource.status === 'error' && total === 0 ? (
          <div className="empty">
            <p>Could not load your books: {resource.error?.message}</p>
            <button type="button" onClick={() => void resource.refresh().catch(() => {})}>
              Try again
            </button>
          </div>
        ) : total === 0 ? (
          <div className="empty">
            <div className="empty-art" aria-hidden="true">
              📚
            </div>
            <h2>Your shelf is empty</h2>
            <p className="muted">Add the books you are reading or want to read. It works offline too.</p>
            <button type="button" className="primary" onClick={() => setEditing({ kind: 'new' })}>
              Add your first book
            </button>
          </div>
        ) : books.length === 0 ? (
          <div className="empty">
            <h2>No books with {minPages}+ pages</h2>
            <button type="button" onClick={() => setMinPages(0)}>
              Show all books
            </button>
          </div>
        ) : (
          <ul className="book-list" aria-label="Books">
            {books.map((b) => (
              <li key={b.id} className="book" data-testid="book" data-book-id={b.id}>
                <div className="spine" style={{ background: spineColor(b.title) }} aria-hidden="true" />
                <div className="book-main">
                  <span className="book-title">{b.title || <em className="muted">Untitled</em>}</span>
                  <span className="book-meta">
                    {b.author ? b.author.name : <span className="muted">Unknown author</span>}
                    {' · '}
                    <span data-testid="page-count">{b.pageCount.toLocaleString('en')}</span> pages
                  </span>
                </div>
                <span className="book-date muted">{DATE.format(new Date(b.createdAt))}</span>
                <button
                  type="button"
                  className="ghost"
                  aria-label={`Edit ${b.title}`}
                  onClick={() => setEditing({ kind: 'edit', id: b.id })}
                >
                  Edit
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>

      <aside className="panel side">
        <h2>Authors</h2>
        {authors.length === 0 ? (
          <p className="muted">Authors you add to books show here.</p>
        ) : (
          <ul className="author-list">
            {authors.map((a) => (
              <li key={a.id}>
                <span>{a.name}</span>
                <span className="count">{a.books.length}</span>
              </li>
            ))}
          </ul>
        )}
        <p className="fineprint">
          Changes apply at once and sync in the background. The server refuses books over 10,000 pages — try
          it to see a change rolled back.
        </p>
      </aside>

      {editing && <BookEditor target={editing} onClose={() => setEditing(undefined)} />}
    </div>
  );
}

const DATE = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', year: 'numeric' });

function spineColor(title: string): string {
  let h = 0;
  for (const ch of title) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return `hsl(${h} 45% 42%)`;
}
