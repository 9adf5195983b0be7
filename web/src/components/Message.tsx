/** Loading, empty and error states, said the same way on every page. */
import type { ComponentChildren } from 'preact';

export function Loading() {
  return <p class="muted">Loading…</p>;
}

export function ErrorBox(props: { error: Error; children?: ComponentChildren }) {
  return (
    <div class="error" role="alert">
      {props.error.message}
      {props.children}
    </div>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="muted empty">{props.children}</p>;
}
