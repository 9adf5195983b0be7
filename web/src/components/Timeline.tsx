/** A session's archived events, oldest first: placement, start, epochs, rule firings, exit. */

import type { SwarmEvent } from '../api/types.js';
import { num, time } from '../lib/format.js';

function describe(e: SwarmEvent): string {
  switch (e.type) {
    case 'session.submitted':
      return `submitted as ${e.data.name}, priority ${e.data.priority}, pool ${e.data.pool}${e.data.dataset ? `, dataset ${e.data.dataset}` : ''}`;
    case 'session.placed':
      return `placed on ${e.data.node}: ${e.data.cpus} CPU, ${e.data.memoryMb} MiB${e.data.gpus.length ? `, GPU ${e.data.gpus.join(',')}` : ''}`;
    case 'session.starting':
      return `starting (${e.data.executor})`;
    case 'session.started':
      return `started${e.data.pid ? `, pid ${e.data.pid}` : ''}${e.data.attached ? ' (re-attached)' : ''}`;
    case 'session.epoch':
      return `epoch ${e.data.epoch}${e.data.total ? `/${e.data.total}` : ''}: ${Object.entries(e.data.metrics)
        .map(([k, v]) => `${k} ${num(v)}`)
        .join(', ')}`;
    case 'session.connected':
      return `SDK connected (${e.data.sdk}${e.data.resumed ? ', resumed' : ''})`;
    case 'session.disconnected':
      return `SDK disconnected (${e.data.code}${e.data.reason ? ` ${e.data.reason}` : ''})`;
    case 'session.demoted':
      return `demoted to ${e.data.pool}, priority ${e.data.priority}: ${e.data.reason}`;
    case 'session.stop-requested':
      return `stop requested: ${e.data.reason}`;
    case 'session.exited':
      return `${e.data.state}: exit code ${e.data.exitCode ?? '—'}${e.data.signal ? `, ${e.data.signal}` : ''}${e.data.reason ? ` (${e.data.reason})` : ''}`;
    case 'rule.fired':
      return `rule ${e.data.rule} (${e.data.kind}) fired → ${e.data.action}`;
    case 'generation.saved':
      return `saved ${e.data.model} generation ${e.data.generation}`;
    case 'model.promoted':
      return `${e.data.model} generation ${e.data.generation} → ${e.data.stage}`;
    default:
      return e.type;
  }
}

export function Timeline(props: { events: SwarmEvent[]; hidden: number }) {
  return (
    <ol class="timeline" data-testid="timeline">
      {props.hidden > 0 ? <li class="muted">… {props.hidden} earlier events not shown</li> : null}
      {props.events.map((e) => (
        <li key={e.cursor} class={`ev ev-${e.type.replace('.', '-')}`}>
          <span class="num muted">{time(e.time)}</span>
          <span class="ev-type">{e.type.replace(/^session\./, '')}</span>
          <span>{describe(e)}</span>
        </li>
      ))}
    </ol>
  );
}
