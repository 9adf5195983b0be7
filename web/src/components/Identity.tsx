/**
 * Who the manager takes the dashboard for (`GET /api/v1/whoami`): the role and the actor its changes are recorded
 * under. Kept between pages so the navigation does not flicker; a manager without the route shows nothing.
 */
import { tokenVersion } from '../api/token.js';
import type { WhoAmI } from '../api/types.js';
import { useObservable } from '../lib/observable.js';
import { useApi } from '../lib/use-api.js';

let known: { version: number; who: WhoAmI } | undefined;

export function Identity() {
  const version = useObservable(tokenVersion);
  const r = useApi<WhoAmI>('/api/v1/whoami');
  if (r.data) known = { version, who: r.data };
  const who = r.data ?? (known?.version === version ? known.who : undefined);
  if (!who) return null;
  return (
    <div class="identity" data-testid="identity" title={`changes are recorded as ${who.actor}`}>
      <span class={`role role-${who.role}`} data-testid="role">
        {who.role}
      </span>
      <span class="actor">{who.name ?? who.actor}</span>
    </div>
  );
}
