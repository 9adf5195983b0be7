/** Routes a path to its page; the token prompt sits above every page. */
import type { JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import { Layout } from './components/Layout.js';
import { Empty } from './components/Message.js';
import { TokenPrompt } from './components/TokenPrompt.js';
import { useObservable } from './lib/observable.js';
import { currentLocation, match, navigate } from './lib/router.js';
import { ComparePage } from './pages/Compare.js';
import { DatasetPage } from './pages/Dataset.js';
import { DatasetsPage } from './pages/Datasets.js';
import { ModelPage } from './pages/Model.js';
import { ModelsPage } from './pages/Models.js';
import { NodesPage } from './pages/Nodes.js';
import { ServingPage } from './pages/Serving.js';
import { SessionPage } from './pages/Session.js';
import { SessionsPage } from './pages/Sessions.js';
import { SweepPage } from './pages/Sweep.js';
import { SweepsPage } from './pages/Sweeps.js';

const ROUTES: Array<[string, (p: Record<string, string>) => JSX.Element]> = [
  ['/sessions', () => <SessionsPage />],
  ['/sessions/:id', (p) => <SessionPage key={p.id} id={p.id!} />],
  ['/compare', () => <ComparePage />],
  ['/sweeps', () => <SweepsPage />],
  ['/sweeps/:id', (p) => <SweepPage key={p.id} id={p.id!} />],
  ['/nodes', () => <NodesPage />],
  ['/datasets', () => <DatasetsPage />],
  ['/datasets/:name', (p) => <DatasetPage key={p.name} name={p.name!} />],
  ['/models', () => <ModelsPage />],
  ['/models/:name', (p) => <ModelPage key={p.name} name={p.name!} />],
  ['/serving', () => <ServingPage />],
];

function Page(props: { path: string }) {
  for (const [pattern, render] of ROUTES) {
    const params = match(pattern, props.path);
    if (params) return render(params);
  }
  return (
    <Layout title="Not found">
      <Empty>No page at {props.path}.</Empty>
    </Layout>
  );
}

export function App() {
  const { path } = useObservable(currentLocation);
  useEffect(() => {
    if (path === '/' || path === '/index.html') navigate('/sessions', { replace: true });
  }, [path]);
  return (
    <>
      <Page path={path} />
      <TokenPrompt />
    </>
  );
}
