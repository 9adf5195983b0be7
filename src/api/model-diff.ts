/**
 * `GET /api/v1/models/{name}/diff`: how two generations' weights differ, tensor by tensor.
 * src/models/tensors computes it with these types.
 */
export type TensorDiffStatus = 'compared' | 'added' | 'removed' | 'shape-mismatch';

export interface TensorDiff {
  name: string;
  status: TensorDiffStatus;
  shapeA: number[] | null;
  shapeB: number[] | null;
  dtypeA: string | null;
  dtypeB: string | null;
  /** Element count (of the side that has it; of a when shapes differ). */
  size: number;
  normA: number | null;
  normB: number | null;
  normDiff: number | null;
  relativeChange: number | null;
  cosine: number | null;
  changed: number | null;
  fractionChanged: number | null;
  maxAbsDiff: number | null;
}

export interface DiffSummary {
  compared: number;
  added: number;
  removed: number;
  shapeMismatch: number;
  /** Elements over the compared tensors. */
  parameters: number;
  changedParameters: number;
  fractionChanged: number;
  normA: number;
  normB: number;
  normDiff: number;
  relativeChange: number | null;
  cosine: number | null;
  /** The compared tensor with the largest relative change. */
  largestChange: { name: string; relativeChange: number | null } | null;
}

export interface WeightsDiff {
  tolerance: number;
  tensors: TensorDiff[];
  summary: DiffSummary;
}

export interface GenerationDiff extends WeightsDiff {
  model: string;
  a: { generation: number; format: string };
  b: { generation: number; format: string };
}
