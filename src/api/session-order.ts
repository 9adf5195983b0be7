/** The `order` of a session list, as client and manager both read it: `-metric.val_accuracy.max`, `name`, … */
import { InvalidError } from '../errors/index.js';

export type MetricField = 'last' | 'min' | 'max';

export type Order =
  | { key: 'createdAt' | 'name'; desc: boolean }
  | { key: 'metric'; name: string; field: MetricField; desc: boolean }
  | { key: 'param'; name: string; desc: boolean };

const FIELDS = new Set<string>(['last', 'min', 'max']);

/** `[-]createdAt | [-]name | [-]metric.NAME[.last|.min|.max] | [-]param.NAME`; InvalidError naming `order`. */
export function parseOrder(text: string): Order {
  const desc = text.startsWith('-');
  const body = desc ? text.slice(1) : text;
  if (body === 'createdAt' || body === 'name') return { key: body, desc };
  if (body.startsWith('param.') && body.length > 6) return { key: 'param', name: body.slice(6), desc };
  if (body.startsWith('metric.') && body.length > 7) {
    const name = body.slice(7);
    const dot = name.lastIndexOf('.');
    // A metric whose own name ends in `.last`/`.min`/`.max` needs the field spelled out: `metric.x.min.last`.
    if (dot > 0 && FIELDS.has(name.slice(dot + 1))) {
      return { key: 'metric', name: name.slice(0, dot), field: name.slice(dot + 1) as MetricField, desc };
    }
    return { key: 'metric', name, field: 'last', desc };
  }
  throw new InvalidError(
    `order: "${text}" is not [-]createdAt, [-]name, [-]metric.NAME[.last|.min|.max] or [-]param.NAME`,
    { details: { field: 'order', value: text } },
  );
}
