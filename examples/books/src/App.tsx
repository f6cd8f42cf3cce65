import { useCallback, useEffect, useState } from 'react';
import type { SSSyncError } from 'sssync';
import { SSSyncProvider } from 'sssync/react';
import { BooksView } from './BooksView';
import { type BooksClient, openClient } from './client';
import { DevtoolsButton } from './DevtoolsButton';
import { LibraryView } from './LibraryView';
import { SignIn } from './SignIn';
import { OfflineBanner, StatusBadge } from './StatusBadge';
import { type Toast, Toasts } from './Toasts';
import { useHashRoute } from './use-hash-route';

const USER_KEY = 'shelf:user';

export function App() {
  const [user, setUser] = useState(() => localStorage.getItem(USER_KEY));
  const signIn = (name: string) => {
    localStorage.setItem(USER_KEY, name);
    setUser(name);
  };
  const signOut = () => {
    localStorage.removeItem(USER_KEY);
    setUser(null);
  };
  if (!user) return <SignIn onSignIn={signIn} />;
  return <Session key={user} user={user} onSignOut={signOut} />;
}

const MUTATION_LABELS: Record<string, string> = {
  createBook: 'Adding a book',
  updateBook: 'Saving a book',
  deleteBook: 'Deleting a book',
  createAuthor: 'Adding an author',
};

function Session({ user, onSignOut }: { user: string; onSignOut: () => void }) {
  const [client, setClient] = useState<BooksClient>();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: string) => setToasts((list) => list.filter((t) => t.id !== id)), []);

  useEffect(() => {
    const onMutationError = (error: SSSyncError, mutation: { name: string }) => {
      const what = MUTATION_LABELS[mutation.name] ?? mutation.name;
      // The server's own message, without the "The server rejected mutation 7:" prefix.
      const reason = error.message.replace(/^The server rejected mutation \d+: /, '');
      setToasts((list) => [
        ...list,
        { id: crypto.randomUUID(), title: `${what} failed — undone`, message: reason },
      ]);
    };
    const onLocalError = (e: Event) => {
      const { title, message } = (e as CustomEvent<{ title: string; message: string }>).detail;
      setToasts((list) => [...list, { id: crypto.randomUUID(), title, message }]);
    };
    window.addEventListener('shelf:error', onLocalError);
    const c = openClient(user, onMutationError);
    setClient(c);
    return () => {
      window.removeEventListener('shelf:error', onLocalError);
      setClient(undefined);
      void c.close();
    };
  }, [user]);

  const [route, navigate] = useHashRoute();
  if (!client) return null;
  const libraryId = route.startsWith('/library') ? (route.split('/')[2] ?? 'city') : undefined;

  return (
    <SSSyncProvider client={client}>
      <div className="shell">
        <header className="topbar">
          <a className="brand" href="#/books">
            <img src="/icon.svg" alt="" width={28} height={28} />
            <span>Shelf</span>
          </a>
          <nav className="tabs" aria-label="Sections">
            <a href="#/books" aria-current={libraryId === undefined ? 'page' : undefined}>
              My books
            </a>
            <a href="#/library/city" aria-current={libraryId !== undefined ? 'page' : undefined}>
              Public library
            </a>
          </nav>
          <div className="topbar-end">
            <StatusBadge />
            <DevtoolsButton client={client} />
            <span className="user" title="Signed in (demo authentication)">
              <span className="avatar" aria-hidden="true">
                {user.slice(0, 1).toUpperCase()}
              </span>
              <span data-testid="user-name">{user}</span>
            </span>
            <button type="button" className="ghost" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        </header>
        <OfflineBanner />
        <main className="content">
          {libraryId === undefined ? (
            <BooksView />
          ) : (
            <LibraryView libraryId={libraryId} onChange={(id) => navigate(`/library/${id}`)} />
          )}
        </main>
      </div>
      <Toasts toasts={toasts} onDismiss={dismiss} />
    </SSSyncProvider>
  );
}
