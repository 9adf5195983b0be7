/**
 * An anchor that navigates in-app (plain clicks) and stays a real link (new tab, copy address). Inside an SVG it
 * is an SVG link. `onHover` hears the pointer or the keyboard focus arrive (true) and leave (false).
 */
import type { ComponentChildren } from 'preact';
import { navigate } from '../lib/router.js';

export function Link(props: {
  href: string;
  class?: string;
  title?: string;
  onHover?: (on: boolean) => void;
  children: ComponentChildren;
}) {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  const hover = props.onHover;
  return (
    <a
      href={props.href}
      class={props.class}
      title={props.title}
      onClick={onClick}
      onMouseEnter={hover && (() => hover(true))}
      onMouseLeave={hover && (() => hover(false))}
      onFocus={hover && (() => hover(true))}
      onBlur={hover && (() => hover(false))}
    >
      {props.children}
    </a>
  );
}
