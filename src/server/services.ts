/** What the HTTP layer is given: the domain services, built once by the composition root (src/app.ts). */
import type { Logger } from 'pino';
import type { ArtifactService } from '../artifacts/index.js';
import type { DatasetService } from '../datasets/index.js';
import type { EventArchive, EventHub } from '../events/index.js';
import type { Experiments } from '../experiments/index.js';
import type { ModelRegistry } from '../models/index.js';
import type { ResumeService } from '../resume/index.js';
import type { RetentionRunner } from '../retention/index.js';
import type { RulesEngine } from '../rules/index.js';
import type { Scheduler } from '../scheduler/index.js';
import type { ModelServer } from '../serving/index.js';
import type { SessionManager } from '../sessions/index.js';
import type { Store } from '../store/index.js';
import type { SweepRunner } from '../sweeps/index.js';
import type { MetricSeries, SessionChannels } from '../telemetry/index.js';
import type { SessionTokens, TokenService } from '../tokens/index.js';
import type { UsageMonitor } from '../usage/index.js';

export interface Services {
  store: Store;
  logger: Logger;
  events: EventArchive;
  hub: EventHub;
  /** Live SDK connections of sessions: `requestStop(id, reason)`, `isConnected(id)`. */
  channels: SessionChannels;
  /** Metric time series per session. */
  series: MetricSeries;
  /** Sessions: submit, list, stop, logs. */
  sessions: SessionManager;
  /** Sessions queried by project, tag, param and metric, and compared. */
  experiments: Experiments;
  /** The nodes sessions run on and the queue waiting for them. */
  scheduler: Scheduler;
  /** Usage sampled by the manager: sessions' `sys/*` series, nodes' use beside their allocation. */
  usage: UsageMonitor;
  /** Datasets: versions, imports, exports, the intake stream. */
  datasets: DatasetService;
  /** Model registry: models, immutable generations, stages, history, retention, weight diffs. */
  models: ModelRegistry;
  /** Per-session rules on live events: stop, reject, promote, flag, retry. */
  rules: RulesEngine;
  /** Hyperparameter sweeps: trials as sessions, judged (ASHA) on their live events. */
  sweeps: SweepRunner;
  /** Model server behind /v1 (TF-Serving REST) and /v2 (KServe v2): production generations, hot-swapped. */
  serving: ModelServer;
  /** Bounded growth: the retention policy for events, session logs and series, and sessions. */
  retention: RetentionRunner;
  /** Files sessions produced: listed, downloaded, uploaded by the SDK, deleted with their session. */
  artifacts: ArtifactService;
  /** What a retried or preempted session's earlier attempts left to resume from. */
  resume: ResumeService;
  /** Public URL of this manager, as sessions and clients should reach it. */
  publicUrl: () => string;
  /** The manager's own token: admin, and the key session tokens are derived under. */
  token: string;
  /** API tokens with roles (admin, write, read). */
  tokens: TokenService;
  /** The tokens sessions' jobs get: valid while their session is active. */
  sessionTokens: SessionTokens;
}
