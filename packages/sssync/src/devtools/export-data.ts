import type { AnyClient } from './tab.js';

/** Downloads `client.export()` as a pretty-printed `.json` file (a Blob and a temporary `<a download>`). */
export async function downloadExport(doc: Document, client: AnyClient, parent: Node): Promise<string> {
  const data = await client.export();
  const blob = new Blob([`${JSON.stringify(data, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const name = `sssync-${client.id}-${data.exportedAt.replace(/[:.]/g, '-')}.json`;
  const a = doc.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  parent.appendChild(a);
  try {
    a.click();
  } finally {
    a.remove();
    // The download has started from the click; revoking later lets slow browsers read it first.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
  return name;
}
