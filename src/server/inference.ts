/**
 * Inference POSTs (TF-Serving `:predict`, KServe v2 `infer`, with its binary tensor extension) answered on
 * node:http directly, ahead of Fastify: they are the hot path, and Fastify's request/reply machinery cost as much
 * as the model call (bench/serving.ts). Same contract as every other route: the token rules (inference is a read:
 * it changes nothing), the body limit, `{error: {code, message, details}}` bodies, the HTTP metrics, 503 while
 * closing. Each answer names the generation that gave it in `x-swarmlab-generation`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { InvalidError, TooLargeError, UnavailableError } from '../errors/index.js';
import {
  checkOutputs,
  formatV1,
  formatV2,
  type ModelServer,
  type Protocol,
  parseV1,
  parseV2,
  type Selector,
} from '../serving/index.js';
import { type AuthOptions, forbidden, identify, presentedToken } from './auth.js';
import { errorReply, logLine } from './errors.js';
import type { HttpObserver } from './metrics.js';
import { beforeVerb, labelSelector, versionSelector } from './routes/selectors.js';

export const GENERATION_HEADER = 'x-swarmlab-generation';
const BINARY_HEADER = 'inference-header-content-length';
const JSON_TYPE = 'application/json; charset=utf-8';

interface Target {
  protocol: Protocol;
  /** The route pattern, as the HTTP metrics label it. */
  route: string;
  model: string;
  selector: Selector;
}

/**
 * The inference route a path names; undefined for a path that is not one (another route may own it). Throws
 * NotFoundError for a wrong verb, version or label.
 */
function inferenceTarget(url: string): Target | undefined {
  const q = url.indexOf('?');
  let parts = (q < 0 ? url : url.slice(0, q)).split('/');
  try {
    if (url.includes('%')) parts = parts.map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const [root, api, models, name, a, b, c, ...rest] = parts;
  if (root !== '' || models !== 'models' || name === undefined || rest.length > 0) return undefined;
  if (api === 'v1') {
    if (a === undefined) {
      return {
        protocol: 'v1',
        route: '/v1/models/:verb',
        model: beforeVerb(name, 'predict'),
        selector: { kind: 'default' },
      };
    }
    if (b === undefined || c !== undefined || (a !== 'versions' && a !== 'labels')) return undefined;
    const selected = beforeVerb(b, 'predict');
    return {
      protocol: 'v1',
      route: `/v1/models/:name/${a}/:verb`,
      model: name,
      selector: a === 'versions' ? versionSelector(selected) : labelSelector(selected),
    };
  }
  if (api === 'v2') {
    if (a === 'infer' && b === undefined) {
      return { protocol: 'v2', route: '/v2/models/:name/infer', model: name, selector: { kind: 'default' } };
    }
    if (a === 'versions' && b !== undefined && c === 'infer') {
      return {
        protocol: 'v2',
        route: '/v2/models/:name/versions/:v/infer',
        model: name,
        selector: versionSelector(b),
      };
    }
  }
  return undefined;
}

export interface InferenceEndpointOptions {
  serving: ModelServer;
  auth: AuthOptions;
  bodyLimit: number;
  observe: HttpObserver;
  logger: Logger;
}

interface Answer {
  generation: number;
  body: Buffer | string;
  headers: Record<string, string>;
}

export class InferenceEndpoint {
  readonly #options: InferenceEndpointOptions;
  #closing = false;

  constructor(options: InferenceEndpointOptions) {
    this.#options = options;
  }

  /** From now on answer 503 and close the connection (the server is shutting down). */
  close(): void {
    this.#closing = true;
  }

  /** Takes the request when it is an inference POST (true), else leaves it to the router (false). */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '';
    if (req.method !== 'POST' || !(url.startsWith('/v1/models/') || url.startsWith('/v2/models/')))
      return false;
    let target: Target | undefined;
    try {
      target = inferenceTarget(url);
    } catch (err) {
      this.#fail(res, err);
      this.#options.observe(
        'POST',
        url.startsWith('/v1') ? '/v1/models/*' : '/v2/models/*',
        res.statusCode,
        0,
      );
      return true;
    }
    if (target === undefined) return false;
    void this.#serve(req, res, target);
    return true;
  }

  async #serve(req: IncomingMessage, res: ServerResponse, target: Target): Promise<void> {
    const { serving, observe } = this.#options;
    const start = process.hrtime.bigint();
    let generation: number | undefined;
    let known = false;
    try {
      if (this.#closing) throw new UnavailableError('the server is shutting down');
      const q = req.url!.indexOf('?');
      const query = q < 0 ? undefined : Object.fromEntries(new URLSearchParams(req.url!.slice(q + 1)));
      const { auth } = this.#options;
      const who = await identify(auth, presentedToken({ headers: req.headers, query }), auth.requireForReads);
      if (who instanceof Error) throw who;
      const refused = forbidden(who, { role: 'read' });
      if (refused) throw refused;
      const raw = await readBody(req, this.#options.bodyLimit);
      // The model before the body's content: an unknown one is a 404 whatever the body, and opens no metric
      // series of its own.
      await serving.model(target.model);
      known = true;
      const { json, binary } = splitBody(raw, req.headers[BINARY_HEADER]);
      const answer =
        target.protocol === 'v1' ? await this.#v1(target, json) : await this.#v2(target, json, binary);
      generation = answer.generation;
      answer.headers[GENERATION_HEADER] = String(generation);
      send(res, 200, answer.body, answer.headers);
    } catch (err) {
      this.#fail(res, err);
    } finally {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (known) serving.metrics.observe(target.model, generation, target.protocol, res.statusCode, seconds);
      observe('POST', target.route, res.statusCode, seconds);
    }
  }

  async #v1(target: Target, body: unknown): Promise<Answer> {
    const req = parseV1(body);
    const r = await this.#options.serving.infer(target.model, target.selector, req.build);
    const json = JSON.stringify(formatV1(req.format, r.signature, r.outputs));
    return { generation: r.generation, body: json, headers: { 'content-type': JSON_TYPE } };
  }

  async #v2(target: Target, body: unknown, binary: Buffer | undefined): Promise<Answer> {
    const req = parseV2(body, binary);
    const r = await this.#options.serving.infer(target.model, target.selector, (sig) => {
      checkOutputs(req.outputs, sig);
      return req.build(sig);
    });
    const { json, binary: tensors } = formatV2(target.model, r.generation, req, r.signature, r.outputs);
    const head = JSON.stringify(json);
    if (tensors.length === 0)
      return { generation: r.generation, body: head, headers: { 'content-type': JSON_TYPE } };
    const headBytes = Buffer.from(head);
    return {
      generation: r.generation,
      body: Buffer.concat([headBytes, ...tensors]),
      headers: { 'content-type': 'application/octet-stream', [BINARY_HEADER]: String(headBytes.length) },
    };
  }

  #fail(res: ServerResponse, err: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const { status, body } = errorReply(err);
    if (status >= 500 && status !== 503) this.#options.logger.error({ err }, logLine(err));
    // Past the body limit, Node would read and drop the rest to keep the connection: end it instead. While
    // shutting down, end it too, so the client reconnects elsewhere. (A model that failed to load also answers
    // 503; its connection stays.)
    const close = status === 413 || this.#closing;
    send(res, status, JSON.stringify(body), {
      'content-type': JSON_TYPE,
      ...(close ? { connection: 'close' } : {}),
    });
  }
}

/** Answers with `headers` (a fresh object: its content-length is set here) and `body`. */
function send(
  res: ServerResponse,
  status: number,
  body: Buffer | string,
  headers: Record<string, string | number>,
): void {
  headers['content-length'] = Buffer.byteLength(body);
  res.writeHead(status, headers);
  res.end(body);
}

/** The whole body, refused with TooLargeError past `limit` bytes (declared or received). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new TooLargeError(`request body is larger than the ${limit}-byte limit`, { details: { limit } });
  if (Number(req.headers['content-length']) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

/** The JSON part of a body and, for KServe's binary tensor extension, the raw tensor bytes after it. */
function splitBody(raw: Buffer, header: string | string[] | undefined): { json: unknown; binary?: Buffer } {
  if (header === undefined) return { json: parseJson(raw) };
  const length = Number(header);
  if (!Number.isInteger(length) || length < 0 || length > raw.length) {
    throw new InvalidError(
      `${BINARY_HEADER}: ${String(header)} is not a length within the ${raw.length}-byte body`,
      {
        details: { header: BINARY_HEADER },
      },
    );
  }
  return { json: parseJson(raw.subarray(0, length)), binary: raw.subarray(length) };
}

/**
 * No prototype-key scan (secure-json-parse's costs as much as the model call on 16 KB of numbers): the body is
 * only read field by field, never merged or spread.
 */
function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InvalidError(`body: not valid JSON (${(err as Error).message})`, {
      details: { field: 'body' },
    });
  }
}
