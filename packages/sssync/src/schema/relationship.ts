/**
 * Relationships between tables. `one('authors', 'authorId')` on books: `book.authorId = author.id`.
 * `many('books', 'authorId')` on authors: `book.authorId = author.id`, seen from the author.
 */
export interface OneRelationship<T extends string = string> {
  readonly kind: 'one';
  readonly table: T;
  /** The column of the source table that holds the target's id. */
  readonly field: string;
}

export interface ManyRelationship<T extends string = string> {
  readonly kind: 'many';
  readonly table: T;
  /** The column of the target table that holds the source's id. */
  readonly field: string;
}

export type Relationship = OneRelationship | ManyRelationship;

export function one<const T extends string>(table: T, field: string): OneRelationship<T> {
  return { kind: 'one', table, field };
}

export function many<const T extends string>(table: T, field: string): ManyRelationship<T> {
  return { kind: 'many', table, field };
}
