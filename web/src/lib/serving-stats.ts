/**
 * Per-model serving figures from two scrapes of `swarmlab_serving_*` series: the generation served, requests
 * per second (counter rate), mean latency and mean batch size (histogram sum/count deltas).
 */
import type { Sample } from './prometheus.js';

export interface ServingRow {
  model: string;
  generation: string;
  requestsPerSecond: number | undefined;
  latencyMs: number | undefined;
  batchSize: number | undefined;
}

export const isServing = (s: Sample) => s.name.startsWith('swarmlab_serving_');

function byModel(samples: Sample[], name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== name) continue;
    const model = s.labels.model ?? '';
    out.set(model, (out.get(model) ?? 0) + s.value);
  }
  return out;
}

const find = (samples: Sample[], re: RegExp) => samples.find((s) => re.test(s.name))?.name;

export function servingRows(prev: Sample[] | undefined, cur: Sample[], seconds: number): ServingRow[] {
  const requests =
    find(cur, /^swarmlab_serving_requests_total$/) ?? find(cur, /^swarmlab_serving_.*requests.*_total$/);
  const latency = find(cur, /^swarmlab_serving_.*(latency|duration).*_sum$/);
  const batch = find(cur, /^swarmlab_serving_batch_size.*_sum$/);
  const rate = (name: string | undefined) => {
    const now = name ? byModel(cur, name) : new Map<string, number>();
    const before = name && prev ? byModel(prev, name) : undefined;
    return { now, before };
  };
  const ratio = (sum: string | undefined, model: string): number | undefined => {
    if (!sum) return undefined;
    const count = sum.replace(/_sum$/, '_count');
    const s = rate(sum);
    const c = rate(count);
    const ds = (s.now.get(model) ?? 0) - (s.before?.get(model) ?? 0);
    const dc = (c.now.get(model) ?? 0) - (c.before?.get(model) ?? 0);
    return dc > 0 ? ds / dc : undefined;
  };
  const models = new Set(
    cur
      .filter(isServing)
      .map((s) => s.labels.model)
      .filter((m): m is string => !!m),
  );
  return [...models].sort().map((model) => {
    const gen = cur.find(
      (s) => isServing(s) && s.labels.model === model && s.labels.generation !== undefined,
    );
    const genGauge = cur.find((s) => s.name === 'swarmlab_serving_generation' && s.labels.model === model);
    const r = rate(requests);
    const dr = (r.now.get(model) ?? 0) - (r.before?.get(model) ?? 0);
    return {
      model,
      // The gauge names the production generation; a request sample may be a canary's or an older one's.
      generation: genGauge ? String(genGauge.value) : (gen?.labels.generation ?? '—'),
      requestsPerSecond: r.before && seconds > 0 ? dr / seconds : undefined,
      latencyMs: ((v) => (v === undefined ? undefined : v * (latency?.includes('seconds') ? 1000 : 1)))(
        ratio(latency, model),
      ),
      batchSize: ratio(batch, model),
    };
  });
}
