/** One node: pool and labels, CPU/RAM/GPU bars split by the sessions holding them (and marked with use), its GPUs. */
import type { NodeSnapshot, SessionRecord } from '../api/types.js';
import { cpus, megabytes, num } from '../lib/format.js';
import { Link } from './Link.js';
import { type Segment, UsageBar } from './UsageBar.js';

const href = (id: string) => `/sessions/${encodeURIComponent(id)}`;

export function NodeCard(props: { node: NodeSnapshot; sessions: Map<string, SessionRecord> }) {
  const { node, sessions } = props;
  const held = node.sessions.map((id) => ({ id, s: sessions.get(id) }));
  const seg = (pick: (s: SessionRecord) => number): Segment[] =>
    held.map(({ id, s }) => ({
      key: id,
      label: s?.name ?? id,
      value: s?.placement ? pick(s) : 0,
      href: href(id),
    }));
  const gpuSeg: Segment[] = held.map(({ id, s }) => ({
    key: id,
    label: s?.name ?? id,
    value: s?.placement ? s.placement.gpus.length * s.placement.gpuMemoryFraction : 0,
    href: href(id),
  }));
  return (
    <section class="card node" data-node={node.name}>
      <div class="node-head">
        <h3>{node.name}</h3>
        <span class="tag">{node.pool}</span>
        {Object.entries(node.labels).map(([k, v]) => (
          <span key={k} class="tag muted">
            {k}={v}
          </span>
        ))}
        <span class="spacer" />
        <span class="muted small">
          {node.sessions.length} session{node.sessions.length === 1 ? '' : 's'}
          {node.reservedFor ? ` · reserved for ${node.reservedFor}` : ''}
        </span>
      </div>
      <UsageBar
        label="CPU"
        capacity={node.capacity.cpus}
        segments={seg((s) => s.placement!.cpus)}
        used={node.used?.cpus}
        format={cpus}
      />
      <UsageBar
        label="Memory"
        capacity={node.capacity.memoryMb}
        segments={seg((s) => s.placement!.memoryMb)}
        used={node.used?.memoryMb}
        format={megabytes}
      />
      {node.capacity.gpus > 0 ? (
        <>
          <UsageBar
            label="GPU"
            capacity={node.capacity.gpus}
            segments={gpuSeg}
            used={node.used?.gpus}
            format={(v) => num(v, 3)}
          />
          <table class="table compact">
            <thead>
              <tr>
                <th>GPU</th>
                <th>Model</th>
                <th>Memory</th>
                <th>Used</th>
                <th>Held by</th>
              </tr>
            </thead>
            <tbody>
              {node.gpus.map((g) => (
                <tr key={g.index}>
                  <td class="num">{g.index}</td>
                  <td>{g.name}</td>
                  <td class="num">{megabytes(g.memoryMb)}</td>
                  <td class="num">{Math.round(g.usedFraction * 100)}%</td>
                  <td>
                    {g.holders.length === 0 ? <span class="muted">free</span> : null}
                    {g.holders.map((h) => (
                      <span key={h.sessionId} class="holder">
                        <Link href={href(h.sessionId)}>{sessions.get(h.sessionId)?.name ?? h.sessionId}</Link>{' '}
                        <span class="muted">{Math.round(h.fraction * 100)}%</span>
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p class="muted small">No GPUs.</p>
      )}
    </section>
  );
}
