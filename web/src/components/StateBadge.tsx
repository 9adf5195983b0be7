/** A coloured badge for a session state or a generation stage. */
export function StateBadge(props: { state: string; title?: string }) {
  return (
    <span class={`badge badge-${props.state}`} data-state={props.state} title={props.title}>
      {props.state}
    </span>
  );
}
