/** Path segments that pick a model's generation: `versions/3`, `labels/staging`, and the `NAME:predict` verb. */
import { NotFoundError } from '../../errors/index.js';
import type { Selector } from '../../serving/index.js';

/** `NAME:predict` (or `3:predict`, `staging:predict`): the part before the verb, or 404 for another verb. */
export function beforeVerb(segment: string, verb: string): string {
  const at = segment.lastIndexOf(':');
  if (at < 0 || segment.slice(at + 1) !== verb) {
    throw new NotFoundError(`no route for ${segment}: only :${verb} is served`, {
      details: { path: segment },
    });
  }
  return segment.slice(0, at);
}

export function versionSelector(v: string): Selector {
  if (!/^\d+$/.test(v) || Number(v) < 1) {
    throw new NotFoundError(`version ${v}: versions are generation numbers`, { details: { version: v } });
  }
  return { kind: 'version', generation: Number(v) };
}

export function labelSelector(label: string): Selector {
  if (label !== 'production' && label !== 'staging') {
    throw new NotFoundError(`label ${label}: the labels are production and staging`, { details: { label } });
  }
  return { kind: 'label', stage: label };
}
