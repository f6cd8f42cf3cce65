import { useEffect, useState } from 'react';

/** The route in the URL's hash (`#/library/city`), so a reload — offline too — stays on the view. */
const read = () => location.hash.replace(/^#/, '') || '/books';

export function useHashRoute(): [string, (to: string) => void] {
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return [
    route,
    (to) => {
      location.hash = `#${to}`;
    },
  ];
}
