import { useEffect } from 'preact/hooks';

/** Sets the document title to "`title` · liboo" while the page shows. */
export function useTitle(title?: string | null): void {
  useEffect(() => {
    document.title = title ? `${title} · liboo` : 'liboo';
  }, [title]);
}
