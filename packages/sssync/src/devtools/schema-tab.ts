import type { Relationship } from '../schema/relationship.js';
import type { TableDef } from '../schema/table.js';
import { badge, h, table } from './dom.js';
import { json } from './format.js';
import type { TabContext, TabView } from './tab.js';

/** The schema as the client runs it: version, tables, columns and their types, indexes, relationships. */
export function schemaTab({ doc, source }: TabContext): TabView {
  const schema = source.schema;
  const tables = schema.tables as Record<string, TableDef>;
  const relationships = schema.relationships as Record<string, Record<string, Relationship> | undefined>;
  const kv = h(doc, 'div', { class: 'kv' });

  const sections = Object.entries(tables).map(([name, def]) => {
    const rels = Object.entries(relationships[name] ?? {});
    return h(
      doc,
      'section',
      { class: 'schema-table', 'data-table': name },
      h(doc, 'h3', {}, name),
      table(
        doc,
        ['column', 'type', 'nullable', 'default'],
        h(
          doc,
          'tbody',
          {},
          Object.entries(def.columns).map(([col, c]) =>
            h(
              doc,
              'tr',
              { 'data-column': col },
              h(doc, 'td', {}, col, col === 'id' ? [' ', badge(doc, 'key', 'info')] : ''),
              h(
                doc,
                'td',
                {},
                h(doc, 'span', { class: 'v-num' }, c.kind),
                c.enumValues ? ` (${c.enumValues.join(' | ')})` : '',
              ),
              h(doc, 'td', {}, c.isOptional ? 'yes' : 'no'),
              h(
                doc,
                'td',
                {},
                !c.hasDefault ? '' : typeof c.defaultValue === 'function' ? 'ƒ()' : json(c.defaultValue).text,
              ),
            ),
          ),
        ),
      ),
      h(
        doc,
        'div',
        { class: 'kv' },
        h(
          doc,
          'span',
          {},
          'indexes: ',
          h(
            doc,
            'b',
            {},
            def.indexes.length === 0 ? 'none' : def.indexes.map((cols) => `(${cols.join(', ')})`).join(' '),
          ),
        ),
        h(
          doc,
          'span',
          {},
          'relationships: ',
          h(
            doc,
            'b',
            {},
            rels.length === 0
              ? 'none'
              : rels
                  .map(([rel, r]) =>
                    r.kind === 'one'
                      ? `${rel} → one ${r.table} (${name}.${r.field} = ${r.table}.id)`
                      : `${rel} → many ${r.table} (${r.table}.${r.field} = ${name}.id)`,
                  )
                  .join('; '),
          ),
        ),
      ),
    );
  });

  const element = h(
    doc,
    'div',
    { class: 'pane', 'data-tab-content': 'schema' },
    kv,
    h(doc, 'div', { class: 'scroll' }, sections),
  );

  function update(): void {
    kv.replaceChildren(
      h(doc, 'span', {}, 'schema version ', h(doc, 'b', { 'data-schema-version': '' }, schema.version)),
      h(doc, 'span', {}, 'tables ', h(doc, 'b', {}, Object.keys(tables).length)),
      h(doc, 'span', {}, 'store ', h(doc, 'b', {}, source.storeKind)),
      h(doc, 'span', {}, 'client ', h(doc, 'b', {}, source.clientID ?? '…')),
      h(doc, 'span', {}, 'tab ', h(doc, 'b', {}, source.role)),
    );
  }

  update();
  return { element, update, destroy: () => {} };
}
