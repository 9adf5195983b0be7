/** Route configs for who may call a route beyond its default role (see ../auth.ts). */
import type { FastifyContextConfig } from 'fastify';

/** What a session's job sends (reports, params, its channel): a token always, its session's or a write token. */
export const JOB_ROUTE: FastifyContextConfig = { job: true, role: 'write', sessionScope: 'session' };
/** Reads of one session, which its own token may make too. */
export const OWN_SESSION: FastifyContextConfig = { sessionScope: 'session' };
/** Dataset reads, which sessions' tokens may make too (a job reads its dataset, and often a validation set). */
export const DATASET_READ: FastifyContextConfig = { sessionScope: 'any' };
/** A model's reads and generation saves, which the token of a session naming it may make too. */
export const OWN_MODEL: FastifyContextConfig = { sessionScope: 'model' };
/** Token management. */
export const ADMIN: FastifyContextConfig = { role: 'admin' };
