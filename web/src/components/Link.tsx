/** An anchor that navigates in-app (plain clicks) and stays a real link (new tab, copy address). */
import type { ComponentChildren } from 'preact';
import { navigate } from '../lib/router.js';

export function Link(props: { href: string; class?: string; title?: string; children: ComponentChildren }) {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return (
    <a href={props.href} class={props.class} title={props.title} onClick={onClick}>
      {props.children}
    </a>
  );
}
