import { useSyncStatus } from 'sssync/react';

/** Online or offline, and how many changes wait for the server. */
export function StatusBadge() {
  const { online, pending, pushing, pulling, lastError } = useSyncStatus();
  const state = !online ? 'offline' : pending > 0 || pushing ? 'syncing' : 'synced';
  const label = !online ? 'Offline' : pushing || pulling ? 'Syncing…' : 'Online';
  const detail =
    pending === 0 ? 'All changes saved' : `${pending} change${pending === 1 ? '' : 's'} waiting to sync`;
  return (
    <output
      className={`status status-${state}`}
      data-testid="sync-status"
      data-online={online}
      data-pending={pending}
      title={lastError && !online ? lastError.message : detail}
    >
      <span className="dot" aria-hidden="true" />
      <span>{label}</span>
      <span className="status-detail">{pending > 0 ? `· ${pending} pending` : '· saved'}</span>
    </output>
  );
}

/** Said once, under the header, while the app works without the server. */
export function OfflineBanner() {
  const { online, pending } = useSyncStatus();
  if (online) return null;
  return (
    <div className="offline-banner" role="status">
      You're offline. Changes are saved on this device
      {pending > 0 ? ` (${pending} waiting)` : ''} and sync when the connection is back.
    </div>
  );
}
