/** A page title as a breadcrumb: links up to the lists it belongs to, then where the reader is. */
import type { ComponentChildren } from 'preact';
import { Link } from './Link.js';

export function Crumbs(props: { trail: Array<[href: string, label: string]>; children: ComponentChildren }) {
  return (
    <>
      {props.trail.map(([href, label]) => (
        <span key={href}>
          <Link href={href} class="crumb">
            {label}
          </Link>{' '}
          /{' '}
        </span>
      ))}
      {props.children}
    </>
  );
}
