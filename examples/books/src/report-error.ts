/** A write that failed on this device (storage full, a bug): shown as a toast by the session. */
export function reportLocalError(what: string) {
  return (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    window.dispatchEvent(new CustomEvent('shelf:error', { detail: { title: `${what} failed`, message } }));
  };
}
