/** Asks for the API token when the manager answered 401; kept in this browser's localStorage. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { authNeeded, setToken } from '../api/token.js';
import { useObservable } from '../lib/observable.js';

export function TokenPrompt() {
  const reason = useObservable(authNeeded);
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [reason]);
  if (reason === undefined) return null;
  const submit = (e: Event) => {
    e.preventDefault();
    setToken(value.trim() || undefined);
    authNeeded.set(undefined);
  };
  return (
    <div class="modal-backdrop">
      <form class="modal" onSubmit={submit} data-testid="token-prompt">
        <h2>API token needed</h2>
        <p class="muted">{reason}</p>
        <p>
          Paste the token printed by <code>swarmlab up</code> (kept in <code>DATA_DIR/token</code> on the
          manager's host). It is stored in this browser only.
        </p>
        <input
          type="password"
          ref={input}
          placeholder="token"
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        />
        <div class="modal-actions">
          <button type="submit" class="primary">
            Use token
          </button>
        </div>
      </form>
    </div>
  );
}
