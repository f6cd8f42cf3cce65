import { useEffect, useRef, useState } from 'react';
import type { DevtoolsHandle } from 'sssync/devtools';
import type { BooksClient } from './client';

/** Opens the SSSync devtools panel, loaded on first use (its code is not in the main bundle). */
export function DevtoolsButton({ client }: { client: BooksClient }) {
  const handle = useRef<DevtoolsHandle | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  useEffect(
    () => () => {
      handle.current?.destroy();
      handle.current = undefined;
    },
    [],
  );
  const toggle = async () => {
    if (handle.current) {
      handle.current.toggle();
      return;
    }
    setLoading(true);
    try {
      const { mountDevtools } = await import('sssync/devtools');
      handle.current = mountDevtools(client, { open: true });
    } catch (e) {
      console.error('Could not load the devtools:', e);
    } finally {
      setLoading(false);
    }
  };
  return (
    <button type="button" className="ghost devtools-button" onClick={toggle} disabled={loading}>
      <span aria-hidden="true">⚙</span> Devtools
    </button>
  );
}
