/** A session's resources (asked for and granted), its outcome (OOM kill, flag, retries) and its environment. */
import type { SessionRecord } from '../api/types.js';
import { cpus, dateTime, duration, megabytes, seconds } from '../lib/format.js';

/** The session contract variables (src/executors/env.ts) as the executor set them, plus the session's own. */
export function sessionEnvironment(s: SessionRecord): Array<[string, string]> {
  const p = s.placement;
  const contract: Array<[string, string]> = [
    ['SWARMLAB_SESSION_ID', s.id],
    ['SWARMLAB_DATASET', s.dataset ?? ''],
  ];
  if (p) {
    contract.push(
      ['SWARMLAB_NODE', p.node],
      ['SWARMLAB_DEVICE', p.gpus.length > 0 ? 'gpu' : 'cpu'],
      ['CUDA_VISIBLE_DEVICES', p.gpus.join(',')],
      ['SWARMLAB_GPU_MEMORY_FRACTION', String(p.gpus.length > 0 ? p.gpuMemoryFraction : 0)],
      ['SWARMLAB_CPUS', String(p.cpus)],
      ['OMP_NUM_THREADS', String(Math.max(1, Math.floor(p.cpus)))],
      ['SWARMLAB_RANK', '0'],
      ['SWARMLAB_WORLD_SIZE', '1'],
      ['SWARMLAB_ATTEMPT', String(s.attempt ?? 1)],
      ['SWARMLAB_RETRY_OF', s.retryOf ?? ''],
    );
  }
  return [...contract, ...Object.entries(s.env).sort(([a], [b]) => (a < b ? -1 : 1))];
}

function Row(props: { k: string; v: string | number | undefined }) {
  return (
    <tr>
      <th>{props.k}</th>
      <td class="mono">{props.v === undefined || props.v === '' ? <span class="muted">—</span> : props.v}</td>
    </tr>
  );
}

export function SessionFacts(props: { s: SessionRecord }) {
  const { s } = props;
  const p = s.placement;
  return (
    <div class="grid2">
      <section class="card">
        <h3>Resources</h3>
        <table class="kv">
          <tbody>
            <Row
              k="Asked"
              v={`${cpus(s.resources.cpus)} CPU · ${megabytes(s.resources.memoryMb)} · ${s.resources.gpus} GPU`}
            />
            <Row
              k="Granted"
              v={
                p ? `${cpus(p.cpus)} CPU · ${megabytes(p.memoryMb)} · GPU [${p.gpus.join(', ')}]` : undefined
              }
            />
            <Row k="Node" v={p?.node} />
            <Row k="Pool" v={s.pool} />
            <Row k="Priority" v={s.priority} />
            <Row k="Created" v={dateTime(s.createdAt)} />
            <Row k="Started" v={s.startedAt ? dateTime(s.startedAt) : undefined} />
            <Row
              k="Boot time"
              v={s.bootMs === undefined ? undefined : `${seconds(s.bootMs)} from submit to running`}
            />
            <Row
              k="Ended"
              v={
                s.endedAt
                  ? `${dateTime(s.endedAt)} (${duration(s.endedAt - (s.startedAt ?? s.createdAt))})`
                  : undefined
              }
            />
            <Row
              k="Exit"
              v={
                s.endedAt
                  ? `code ${s.exitCode ?? '—'}${s.signal ? `, ${s.signal}` : ''}${s.oomKilled ? ' (OOM killed)' : ''}`
                  : undefined
              }
            />
            <Row k="Reason" v={s.reason} />
            {s.flagged ? (
              <Row k="Flagged" v={`rule ${s.flagged.rule}: exit code ${s.flagged.exitCode}`} />
            ) : null}
            {s.checkpointable ? (
              <Row k="Restartable" v="yes: its job checkpoints, so once demoted it may be preempted" />
            ) : null}
            {s.preemptedBy ? <Row k="Preempted for" v={s.preemptedBy} /> : null}
            {s.retryOf ? <Row k="Attempt" v={`${s.attempt ?? 2}, retry of ${s.retryOf}`} /> : null}
            {s.retriedBy ? <Row k="Retried by" v={s.retriedBy} /> : null}
            <Row k="Command" v={s.command.join(' ')} />
            <Row k="Working dir" v={s.cwd} />
          </tbody>
        </table>
      </section>
      <section class="card">
        <h3>Environment</h3>
        <table class="kv" data-testid="session-env">
          <tbody>
            {sessionEnvironment(s).map(([k, v]) => (
              <Row key={k} k={k} v={v} />
            ))}
          </tbody>
        </table>
        <p class="muted small">Plus SWARMLAB_URL, SWARMLAB_TOKEN and SWARMLAB_OUTPUT_DIR.</p>
      </section>
    </div>
  );
}
