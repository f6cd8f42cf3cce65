// The client: the app's code in a browser (any bundler: Vite, Next…) or in Node (`npx tsx app.ts alice`).
import { SSSync, type Store } from 'sssync';
import { memoryStore } from 'sssync/memory';
import { mutators, schema } from './schema';

export function openTodos(user: string, server = 'http://127.0.0.1:8787/sync', store: Store = memoryStore()) {
  return new SSSync('todos', {
    schema,
    mutators,
    store, // in a browser: indexedDBStore() from 'sssync/idb' keeps the data (and the outbox) offline
    server,
    headers: () => ({ authorization: `Bearer ${user}` }), // `sssync serve` takes any name (development only)
    loaders: { '/all': {} },
  });
}

export async function main(user: string, server?: string, print = console.log) {
  const todos = openTodos(user, server);
  await todos.ready;
  await todos.persist('/all').ready; // every todo, kept in sync
  todos.query.todos.orderBy('title').subscribe((rows) => {
    print(rows.map((t) => `${t.done ? '✓' : '·'} ${t.title} (${t.by})`).join('\n') || '(no todos)');
  });
  await todos.execute.addTodo(crypto.randomUUID(), `${user}'s first todo`);
  return todos;
}

// `npx tsx app.ts <user> [server]` in Node; in a browser app, call `openTodos` from your UI code instead.
const argv = globalThis.process?.argv ?? [];
if (argv[1]?.endsWith('app.ts')) await main(argv[2] ?? 'alice', argv[3]);
