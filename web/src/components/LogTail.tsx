/** The last lines of a session's output, following new ones; sticks to the bottom unless scrolled up. */
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { LogLine } from '../api/types.js';
import { time } from '../lib/format.js';

export function LogTail(props: { lines: LogLine[]; version: number; dropped: number }) {
  const box = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  useLayoutEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [props.version]);
  const onScroll = () => {
    const el = box.current!;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  };
  return (
    <pre class="logs" ref={box} onScroll={onScroll} data-testid="log-tail">
      {props.dropped > 0 ? <div class="muted">… {props.dropped} earlier lines not shown</div> : null}
      {props.lines.length === 0 ? <span class="muted">No output yet.</span> : null}
      {props.lines.map((l) => (
        <div key={l.cursor} class={l.stream === 'stderr' ? 'log stderr' : 'log'}>
          <span class="log-time">{time(l.time)}</span>
          {l.line}
        </div>
      ))}
    </pre>
  );
}
