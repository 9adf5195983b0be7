/** The frame of every page: left navigation, a header with the live-connection status, the page itself. */
import type { ComponentChildren } from 'preact';
import { connection } from '../api/events.js';
import { getToken, setToken } from '../api/token.js';
import { useObservable } from '../lib/observable.js';
import { currentLocation } from '../lib/router.js';
import { Identity } from './Identity.js';
import { Link } from './Link.js';

const NAV = [
  ['/sessions', 'Sessions'],
  ['/sweeps', 'Sweeps'],
  ['/nodes', 'Nodes'],
  ['/datasets', 'Datasets'],
  ['/models', 'Models'],
  ['/serving', 'Serving'],
] as const;

const LABEL = {
  idle: '',
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  offline: 'offline',
};

export function Layout(props: { title: ComponentChildren; children: ComponentChildren }) {
  const { path } = useObservable(currentLocation);
  const status = useObservable(connection);
  return (
    <div class="shell">
      <nav class="nav">
        <Link href="/sessions" class="brand">
          <span class="logo" aria-hidden="true" />
          Swarmlab
        </Link>
        {NAV.map(([href, label]) => (
          <Link key={href} href={href} class={path === href || path.startsWith(`${href}/`) ? 'active' : ''}>
            {label}
          </Link>
        ))}
        <div class="nav-foot">
          <Identity />
          {getToken() ? (
            <button type="button" class="link" onClick={() => setToken(undefined)}>
              Forget token
            </button>
          ) : null}
        </div>
      </nav>
      <div class="main">
        <header class="header">
          <h1>{props.title}</h1>
          {status === 'idle' ? null : (
            <span class={`conn conn-${status}`} data-testid="connection" title="Live event stream">
              <span class="dot" />
              {LABEL[status]}
            </span>
          )}
        </header>
        <main class="content">{props.children}</main>
      </div>
    </div>
  );
}
