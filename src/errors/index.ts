/** Typed errors: one class per failure, each with a stable `code`; the HTTP layer maps codes to statuses. */

export type ErrorCode =
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID'
  | 'CORRUPT'
  | 'TOO_LARGE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'UNAVAILABLE'
  | 'CONFIG'
  | 'LEASE_HELD';

export interface ErrorOptions {
  /** Machine-readable context: the field, line, id or key at fault. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export abstract class SwarmlabError extends Error {
  abstract readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details ?? {};
  }
}

/** A key, record or resource that does not exist. */
export class NotFoundError extends SwarmlabError {
  readonly code = 'NOT_FOUND';
}

/** A compare-and-set or uniqueness precondition failed. */
export class ConflictError extends SwarmlabError {
  readonly code = 'CONFLICT';
}

/** Bad input: a name, field, line or value that breaks the rules. `details` names where. */
export class InvalidError extends SwarmlabError {
  readonly code = 'INVALID';
}

/** Stored bytes whose digest no longer matches what was written. */
export class CorruptError extends SwarmlabError {
  readonly code = 'CORRUPT';
}

/** A body or value over a configured limit. */
export class TooLargeError extends SwarmlabError {
  readonly code = 'TOO_LARGE';
}

/** Missing or wrong credentials. */
export class UnauthorizedError extends SwarmlabError {
  readonly code = 'UNAUTHORIZED';
}

/** Credentials fine, action not allowed. */
export class ForbiddenError extends SwarmlabError {
  readonly code = 'FORBIDDEN';
}

/** A dependency (store, executor, runtime) cannot be reached or is closed. */
export class UnavailableError extends SwarmlabError {
  readonly code = 'UNAVAILABLE';
}

/** Bad configuration given at start-up (flags, env, config file). */
export class ConfigError extends SwarmlabError {
  readonly code = 'CONFIG';
}

/** Another manager holds the store's lease; `details.holder` names it (host, pid, since, URL). */
export class LeaseHeldError extends SwarmlabError {
  readonly code = 'LEASE_HELD';
}

export const isSwarmlabError = (e: unknown): e is SwarmlabError => e instanceof SwarmlabError;
