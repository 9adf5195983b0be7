/**
 * Metric families: the metrics that share one chart and its y axis. A name's family is what is left after
 * dropping any `/`-prefix (up to the last `/`: `train/loss` → `loss`) and then one leading `val_`, `train_` or
 * `test_` (`val_loss` → `loss`, `val_accuracy` → `accuracy`), so a metric and its validation twin are drawn
 * together while `loss` and `accuracy` never share a scale. A name that would be left empty keeps itself.
 */

const SPLIT = /^(?:val|train|test)_/i;

export function family(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base.replace(SPLIT, '') || base || name;
}

/** Series grouped by family; families and the names in each keep their first-seen order. */
export function byFamily<T>(series: Map<string, T>): Map<string, Map<string, T>> {
  const out = new Map<string, Map<string, T>>();
  for (const [name, s] of series) {
    const f = family(name);
    const group = out.get(f) ?? new Map<string, T>();
    group.set(name, s);
    out.set(f, group);
  }
  return out;
}
