// Calls for the HTTP corpus runs: every answer must be 2xx, or 4xx with {error: {code, message, details}}; counts go in a tally.
import assert from 'node:assert/strict';
import type { TestManager } from './manager.js';

export type StatusClass = '2xx' | '4xx' | '5xx' | 'crash';

/** Counts answers per format or endpoint, printed when a run ends. */
export class StatusTally {
  readonly #counts = new Map<string, Record<StatusClass, number>>();

  add(what: string, c: StatusClass): void {
    const row = this.#counts.get(what) ?? { '2xx': 0, '4xx': 0, '5xx': 0, crash: 0 };
    row[c]++;
    this.#counts.set(what, row);
  }

  print(title: string): void {
    for (const [what, r] of this.#counts) {
      const cases = r['2xx'] + r['4xx'] + r['5xx'] + r.crash;
      console.log(
        `${title} ${what}: ${cases} cases, 2xx ${r['2xx']}, 4xx ${r['4xx']}, 5xx ${r['5xx']}, crashes ${r.crash}`,
      );
    }
  }
}

export interface Answer {
  status: number;
  body: { error?: { code: string; message: string; details: Record<string, unknown> } } & Record<
    string,
    unknown
  >;
}

/** Sends one request; asserts the answer is 2xx or a well-formed 4xx, tallied under `what`. */
export async function call(
  tm: TestManager,
  tally: StatusTally,
  what: string,
  init: { method: string; path: string; body?: RequestInit['body']; headers?: Record<string, string> },
): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(`${tm.url}${init.path}`, {
      method: init.method,
      headers: { ...tm.auth, ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
  } catch (err) {
    tally.add(what, 'crash');
    throw new Error(`${what}: the manager did not answer ${init.method} ${init.path}`, { cause: err });
  }
  const text = await res.text();
  const klass: StatusClass = res.status >= 500 ? '5xx' : res.status >= 400 ? '4xx' : '2xx';
  tally.add(what, klass);
  assert.ok(res.status < 500, `${what}: ${res.status} ${text.slice(0, 300)}`);
  const body = text === '' ? {} : JSON.parse(text);
  if (res.status >= 400) {
    const e = body.error;
    assert.ok(
      typeof e?.code === 'string' &&
        typeof e.message === 'string' &&
        typeof e.details === 'object' &&
        e.details,
      `${what}: ${res.status} without {error: {code, message, details}}: ${text.slice(0, 300)}`,
    );
  }
  return { status: res.status, body };
}
