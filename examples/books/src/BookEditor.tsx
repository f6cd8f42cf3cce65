import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useQuery, useSSSync } from 'sssync/react';
import type { BooksClient } from './client';
import { reportLocalError } from './report-error';

export type EditTarget = { kind: 'new' } | { kind: 'edit'; id: string };

const NEW_AUTHOR = '__new__';

/** Creates or edits a book; saving applies at once (offline too) and syncs in the background. */
export function BookEditor({ target, onClose }: { target: EditTarget; onClose: () => void }) {
  const { query, execute } = useSSSync<BooksClient>();
  const id = target.kind === 'edit' ? target.id : '';
  const book = useQuery(query.books.where('id', '=', id).one());
  const authors = useQuery(query.authors.orderBy('name'));
  const [title, setTitle] = useState('');
  const [pages, setPages] = useState('');
  const [authorId, setAuthorId] = useState('');
  const [newAuthor, setNewAuthor] = useState('');
  const [loaded, setLoaded] = useState(target.kind === 'new');
  const titleInput = useRef<HTMLInputElement>(null);
  useEffect(() => titleInput.current?.focus(), []);

  useEffect(() => {
    if (loaded || !book) return;
    setTitle(book.title);
    setPages(String(book.pageCount));
    setAuthorId(book.authorId ?? '');
    setLoaded(true);
  }, [book, loaded]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const save = (e: FormEvent) => {
    e.preventDefault();
    let author: string | null = authorId || null;
    if (authorId === NEW_AUTHOR) {
      author = newAuthor.trim() ? crypto.randomUUID() : null;
      if (author) execute.createAuthor(author, newAuthor.trim()).catch(reportLocalError('Adding the author'));
    }
    // Only the client-side basics are checked here; the server has the last word (see the server).
    const pageCount = Math.max(0, Math.round(Number(pages) || 0));
    if (target.kind === 'new') {
      execute
        .createBook(crypto.randomUUID(), {
          title: title.trim(),
          pageCount,
          authorId: author,
          createdAt: new Date().toISOString(),
        })
        .catch(reportLocalError('Adding the book'));
    } else {
      execute
        .updateBook(target.id, { title: title.trim(), pageCount, authorId: author })
        .catch(reportLocalError('Saving the book'));
    }
    onClose();
  };

  const remove = () => {
    if (target.kind === 'edit') execute.deleteBook(target.id).catch(reportLocalError('Deleting the book'));
    onClose();
  };

  const missing = target.kind === 'edit' && loaded && !book;
  return (
    <div className="overlay">
      <button type="button" className="backdrop" aria-label="Close" tabIndex={-1} onClick={onClose} />
      <form
        className="card dialog"
        role="dialog"
        aria-modal="true"
        aria-label={target.kind === 'new' ? 'Add a book' : 'Edit book'}
        onSubmit={save}
      >
        <h2>{target.kind === 'new' ? 'Add a book' : 'Edit book'}</h2>
        {missing ? (
          <p className="muted">This book was deleted.</p>
        ) : (
          <>
            <label className="field">
              <span>Title</span>
              <input
                name="title"
                ref={titleInput}
                value={title}
                onChange={(e) => setTitle(e.target.value)}
                placeholder="The Left Hand of Darkness"
              />
            </label>
            <label className="field">
              <span>Pages</span>
              <input
                name="pageCount"
                type="number"
                min={0}
                value={pages}
                onChange={(e) => setPages(e.target.value)}
                placeholder="304"
              />
            </label>
            <label className="field">
              <span>Author</span>
              <select name="author" value={authorId} onChange={(e) => setAuthorId(e.target.value)}>
                <option value="">Unknown</option>
                {authors.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
                <option value={NEW_AUTHOR}>New author…</option>
              </select>
            </label>
            {authorId === NEW_AUTHOR && (
              <label className="field">
                <span>New author's name</span>
                <input name="newAuthor" value={newAuthor} onChange={(e) => setNewAuthor(e.target.value)} />
              </label>
            )}
          </>
        )}
        <div className="dialog-actions">
          {target.kind === 'edit' && !missing && (
            <button type="button" className="danger" onClick={remove}>
              Delete
            </button>
          )}
          <span className="spacer" />
          <button type="button" className="ghost" onClick={onClose}>
            Cancel
          </button>
          {!missing && (
            <button type="submit" className="primary">
              Save
            </button>
          )}
        </div>
      </form>
    </div>
  );
}
