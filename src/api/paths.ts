/** The HTTP API's paths as clients call them, so the SDK names each one once. */
const enc = encodeURIComponent;
/** A `/`-separated path, each segment encoded. */
const encPath = (path: string): string => path.split('/').map(enc).join('/');

const API_PREFIX = '/api/v1';

export const paths = {
  sessions: `${API_PREFIX}/sessions`,
  session: (id: string) => `${API_PREFIX}/sessions/${enc(id)}`,
  sessionStop: (id: string) => `${API_PREFIX}/sessions/${enc(id)}/stop`,
  sessionLogs: (id: string) => `${API_PREFIX}/sessions/${enc(id)}/logs`,
  /** POST `{params}`: names the job discovered; a name already set to another value is a 409. */
  sessionParams: (id: string) => `${API_PREFIX}/sessions/${enc(id)}/params`,
  /** GET `?ids=a,b&maxPoints=&metrics=`: params, metric summaries and series of up to 100 sessions. */
  compare: `${API_PREFIX}/compare`,
  /** GET: the session's artifacts (`ArtifactList`). */
  sessionArtifacts: (id: string) => `${API_PREFIX}/sessions/${enc(id)}/artifacts`,
  /** GET: one artifact's bytes (Range allowed); PUT (manager token): store a file under this path. */
  sessionArtifact: (id: string, path: string) =>
    `${API_PREFIX}/sessions/${enc(id)}/artifacts/${encPath(path)}`,
  /** POST (the job): the session can be stopped and resumed, so it may be preempted once demoted. */
  sessionCheckpointable: (id: string) => `${API_PREFIX}/sessions/${enc(id)}/checkpointable`,
  /** GET `?model=`: what earlier attempts left to resume from (`ResumeInfo`). */
  sessionResume: (id: string) => `${API_PREFIX}/sessions/${enc(id)}/resume`,
  /** GET: the newest earlier attempt's copy of an artifact. */
  sessionResumeArtifact: (id: string, path: string) =>
    `${API_PREFIX}/sessions/${enc(id)}/resume/artifacts/${encPath(path)}`,
  sweeps: `${API_PREFIX}/sweeps`,
  sweep: (id: string) => `${API_PREFIX}/sweeps/${enc(id)}`,
  sweepStop: (id: string) => `${API_PREFIX}/sweeps/${enc(id)}/stop`,
  sessionChannel: (id: string) => `${API_PREFIX}/sessions/${enc(id)}/channel`,
  events: `${API_PREFIX}/events`,
  eventsCursor: `${API_PREFIX}/events/cursor`,
  eventsSocket: `${API_PREFIX}/events/ws`,
  /** GET: the retention policy and what it removed; POST `/run`: apply it now until nothing is left. */
  retention: `${API_PREFIX}/retention`,
  retentionRun: `${API_PREFIX}/retention/run`,
  nodes: `${API_PREFIX}/nodes`,
  datasets: `${API_PREFIX}/datasets`,
  datasetVersions: (name: string) => `${API_PREFIX}/datasets/${enc(name)}/versions`,
  datasetVersion: (name: string, version: number | 'latest') =>
    `${API_PREFIX}/datasets/${enc(name)}/versions/${version}`,
  /** GET lists, POST `{name, role}` creates (admin); DELETE `tokens/{id}` revokes. */
  tokens: `${API_PREFIX}/tokens`,
  token: (id: string) => `${API_PREFIX}/tokens/${enc(id)}`,
  whoami: `${API_PREFIX}/whoami`,
  models: `${API_PREFIX}/models`,
  model: (name: string) => `${API_PREFIX}/models/${enc(name)}`,
  generations: (name: string) => `${API_PREFIX}/models/${enc(name)}/generations`,
  /** `ref`: a generation number, or `production` / `staging` / `latest`. */
  generation: (name: string, ref: number | string) =>
    `${API_PREFIX}/models/${enc(name)}/generations/${enc(String(ref))}`,
} as const;
