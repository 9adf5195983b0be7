/** Validation of transaction ops into a form every backend applies the same way. */
import { InvalidError } from '../errors/index.js';
import { encode } from './codec.js';
import { checkCount, checkDigest, checkMember, checkName, checkScore, checkVersion } from './names.js';
import type { Fence, TxOp, TxResult } from './types.js';

/**
 * A validated op; values are already encoded, so applying it cannot fail half-way on a bad value. A `check` has no
 * outcome of its own, so a fenced single-op write still finds its outcome first.
 */
export type PreparedOp =
  | { op: 'put'; key: string; bytes: Buffer; ifVersion: number | undefined }
  | { op: 'delete'; key: string; ifVersion: number | undefined }
  | { op: 'check'; key: string; version: number }
  | { op: 'indexAdd'; index: string; member: string; score: number }
  | { op: 'indexRemove'; index: string; member: string }
  | { op: 'append'; log: string; bytes: Buffer }
  | { op: 'deleteEntries'; log: string; cursors: number[] }
  | { op: 'trimLog'; log: string; before: number }
  | { op: 'ref' | 'unref'; digest: string; owner: string };

export function prepareOps(ops: readonly TxOp[]): PreparedOp[] {
  return ops.map((op): PreparedOp => {
    switch (op.op) {
      case 'put':
        return {
          op: 'put',
          key: checkName(op.key),
          bytes: encode(op.value),
          ifVersion: checkVersion(op.ifVersion),
        };
      case 'delete':
        return { op: 'delete', key: checkName(op.key), ifVersion: checkVersion(op.ifVersion) };
      case 'check': {
        const version = checkCount(op.version, 'version');
        if (version === undefined)
          throw new InvalidError('check needs a version', { details: { key: op.key } });
        return { op: 'check', key: checkName(op.key), version };
      }
      case 'indexAdd':
        return {
          op: 'indexAdd',
          index: checkName(op.index, 'index'),
          member: checkMember(op.member),
          score: checkScore(op.score),
        };
      case 'indexRemove':
        return { op: 'indexRemove', index: checkName(op.index, 'index'), member: checkMember(op.member) };
      case 'append':
        return { op: 'append', log: checkName(op.log, 'log'), bytes: encode(op.value) };
      case 'deleteEntries':
        return {
          op: 'deleteEntries',
          log: checkName(op.log, 'log'),
          cursors: checkCursors(op.cursors),
        };
      case 'trimLog': {
        const before = checkCount(op.before, 'before');
        if (before === undefined)
          throw new InvalidError('trimLog needs a before cursor', { details: { log: op.log } });
        return { op: 'trimLog', log: checkName(op.log, 'log'), before };
      }
      case 'ref':
      case 'unref':
        return { op: op.op, digest: checkDigest(op.digest), owner: checkName(op.owner, 'owner') };
      default: {
        const unknownOp: never = op;
        const name = (unknownOp as { op: unknown }).op;
        throw new InvalidError(`unknown transaction op ${JSON.stringify(name)}`, { details: { op: name } });
      }
    }
  });
}

/** Cursors to delete: positive safe integers, deduplicated and sorted so both backends count them alike. */
function checkCursors(cursors: unknown): number[] {
  if (!Array.isArray(cursors)) {
    throw new InvalidError('cursors must be an array of positive integers', { details: { cursors } });
  }
  for (const cursor of cursors) {
    if (checkCount(cursor, 'cursor') === 0) {
      throw new InvalidError('cursor must be a positive integer', { details: { cursor } });
    }
  }
  return [...new Set(cursors as number[])].sort((a, b) => a - b);
}

/** Records an appended cursor in a transaction result, keeping per-log op order. */
export function addCursor(result: TxResult, log: string, cursor: number): void {
  const cursors = result.cursors[log];
  if (cursors) cursors.push(cursor);
  else result.cursors[log] = [cursor];
}

/** Records a blob freed by an unref, once, in op order. */
export function addFreed(result: TxResult, digest: string): void {
  result.freed ??= [];
  if (!result.freed.includes(digest)) result.freed.push(digest);
}

/** A fenced store's ops: the fence's check first, so a write from a manager that lost its lease changes nothing. */
export function withFence(ops: readonly TxOp[], fence: Fence | undefined): readonly TxOp[] {
  return fence ? [{ op: 'check', ...fence }, ...ops] : ops;
}
