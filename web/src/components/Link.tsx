import type { ComponentChildren, JSX } from 'preact';
import { onLinkClick } from '../router';

type Props = JSX.HTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren };

/** A link that navigates in the app without a reload. */
export function Link(props: Props) {
  return <a {...props} onClick={onLinkClick as never} />;
}
