/** Models on the wire: the registry's models, immutable generations, stages and the audit history. */

/** Weight formats a generation may hold; see README "Model generations" for each one's files. */
export const WEIGHT_FORMATS = ['onnx', 'tfjs', 'safetensors', 'raw-float32', 'pytorch'] as const;
export type WeightFormat = (typeof WEIGHT_FORMATS)[number];

/**
 * A generation's stage: `draft` when saved; `staging` and `production` hold at most one generation per model;
 * `archived` once it left staging or production (displaced by another, or retired explicitly).
 */
export const STAGES = ['draft', 'staging', 'production', 'archived'] as const;
export type Stage = (typeof STAGES)[number];
/** The stages a client may move a generation to. */
export type TargetStage = Exclude<Stage, 'draft'>;

export interface ModelRecord {
  name: string;
  /** e.g. `classifier/mlp`, `cv/inception-resnet-v1`; fixed by the first generation. */
  type: string;
  createdAt: number;
  updatedAt: number;
  /** The last generation number handed out (numbers are never reused, even after a delete). */
  latest: number;
  /** Generation numbers currently stored, ascending. */
  generations: number[];
  production: number | null;
  staging: number | null;
  /** Generations that held staging or production and left it (and are in neither now). */
  archived: number[];
  /** Every generation that ever held staging or production; retention never deletes these. */
  everStaged: number[];
  /** Retention: keep the newest N generations (plus every ever-staged one); null keeps all. */
  keepLast: number | null;
}

/** One file of a generation; `offset` is where its bytes start inside the weights blob. */
export interface GenerationFile {
  name: string;
  size: number;
  sha256: string;
  offset: number;
}

/** Immutable once saved: its store document is written once and never rewritten. */
export interface Generation {
  model: string;
  type: string;
  generation: number;
  format: WeightFormat;
  /** The weights blob: the file itself when there is one file, else a bundle (see bundle.ts). */
  weights: { digest: string; size: number; bundle: boolean };
  files: GenerationFile[];
  /** The file `GET …/weights` returns by default (model.json, the .onnx, the .safetensors, raw data). */
  primary: string;
  metrics: Record<string, number>;
  sessionId: string | null;
  dataset: string | null;
  parent: number | null;
  createdAt: number;
  /** The `Idempotency-Key` it was saved with; a retried save with it answers this generation. */
  idempotencyKey?: string;
}

/** A generation with its current stage (which lives on the model, since generations never change). */
export interface GenerationView extends Generation {
  stage: Stage;
}

/** What a client sends with the weights. */
export interface GenerationMeta {
  type?: string;
  format: WeightFormat;
  metrics?: Record<string, number>;
  sessionId?: string;
  dataset?: string;
  parent?: number;
  /** Name of the single file of a raw (non-multipart) upload; default by format. */
  file?: string;
  /** raw-float32 raw uploads: the tensor index, stored as `index.json` next to the data. */
  tensors?: Record<string, { shape: number[]; offset: number }>;
}

/** What a save answers: the generation, and whether this call made it (false: an earlier save with its key did). */
export interface SaveResult {
  generation: GenerationView;
  created: boolean;
}

/** One entry of a model's audit history: a generation moved from one stage to another. */
export interface HistoryEntry {
  cursor: number;
  time: number;
  generation: number;
  from: Stage | null;
  to: Stage;
  reason?: string;
  /** Who changed it (see `WhoAmI.actor`); absent on entries from before actors were recorded. */
  actor?: string;
}

/** `GET /api/v1/models/{name}/history`. */
export interface HistoryPage {
  model: string;
  entries: HistoryEntry[];
  /** Pass as `after` for the next page. */
  next: number;
}

export interface StagesAt {
  model: string;
  at: number;
  production: number | null;
  staging: number | null;
}

export interface GenerationSummary {
  generation: number;
  stage: Stage;
  format: WeightFormat;
  size: number;
  metrics: Record<string, number>;
  createdAt: number;
}

export interface ModelSummary {
  name: string;
  type: string;
  latest: number;
  production: number | null;
  staging: number | null;
  generations: GenerationSummary[];
}

/** `GET /api/v1/models`: type → model → generations. */
export interface ModelTree {
  types: { type: string; models: ModelSummary[] }[];
}

export interface ModelView extends ModelRecord {
  generationList: GenerationSummary[];
}

export interface PruneResult {
  model: string;
  deleted: number[];
  /** Blob digests freed because no remaining generation shares them. */
  freed: string[];
}

/** A generation moved from one stage to another (one stage change can displace another generation). */
export interface StageChange {
  generation: number;
  from: Stage;
  to: Stage;
}

/** `POST …/generations/{g}/stage`. */
export interface StageResult {
  generation: GenerationView;
  /** Empty when the generation already held the stage. */
  changes: StageChange[];
}
