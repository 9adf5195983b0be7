/** Runs `fn` at most once per `ms`, trailing: bursts of events cost one re-render or re-fetch. */
export interface Throttled {
  (): void;
  cancel(): void;
}

export function throttle(fn: () => void, ms: number): Throttled {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = 0;
  const run = () => {
    timer = undefined;
    last = Date.now();
    fn();
  };
  const t = (() => {
    if (timer !== undefined) return;
    timer = setTimeout(run, Math.max(0, last + ms - Date.now()));
  }) as Throttled;
  t.cancel = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return t;
}
