// The whole backend of a shared todo list: `npx sssync serve --schema ./schema.ts` serves it.
import { c, defineMutators, defineSchema, table } from 'sssync';

export const schema = defineSchema({
  version: 1,
  tables: {
    todos: table({ id: c.string(), title: c.string(), done: c.boolean().default(false), by: c.string() }),
  },
});

// The same code runs on the client (at once, offline too) and on the server (which decides).
export const mutators = defineMutators(schema, {
  addTodo: (tx, id: string, title: string) => tx.todos.insert({ id, title, by: tx.userID ?? 'me' }),
  toggleTodo: async (tx, id: string) => {
    const todo = await tx.todos.get(id);
    if (todo) await tx.todos.update({ id, done: !todo.done });
  },
});

// No `resources` export: every user reads every table ('/all'). Scope them when you add users:
// export const resources = { '/mine': ({ userID, query }) => query.todos.where('by', '=', userID) };
