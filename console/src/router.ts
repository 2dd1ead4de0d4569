// Hash routes (#/pools/…): the server serves one index.html, and every page has an address that can be bookmarked,
// reloaded and reached with the browser's back button.
import { useEffect, useState } from 'preact/hooks';

export function currentPath(): string[] {
  return location.hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((part) => decodeURIComponent(part));
}

export function useRoute(): string[] {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const changed = () => setPath(currentPath());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return path;
}

/** `#/a/b` from parts, each encoded (pool ids hold a colon, dataset names dots and dashes). */
export const href = (...parts: string[]) => `#/${parts.map(encodeURIComponent).join('/')}`;

export function navigate(...parts: string[]) {
  location.hash = href(...parts);
}
