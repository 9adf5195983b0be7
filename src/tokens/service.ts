/**
 * API tokens with roles: created (the secret shown once, its sha256 stored), listed, revoked; each change is one
 * transaction with its event, which names the actor. Lookups are cached per hash, as every request makes one.
 */
import { randomBytes } from 'node:crypto';
import type { CreatedToken, Role, TokenView } from '../api/index.js';
import { ConflictError, NotFoundError } from '../errors/index.js';
import type { EventArchive } from '../events/index.js';
import type { Store } from '../store/index.js';
import { hashSecret, newSecret } from './secret.js';

const PREFIX = 'tokens/';
const keyOf = (hash: string) => `${PREFIX}${hash}`;

export interface TokenServiceDeps {
  store: Store;
  events: EventArchive;
  now?: () => number;
}

export class TokenService {
  readonly #store: Store;
  readonly #events: EventArchive;
  readonly #now: () => number;
  /** Active tokens by hash, as looked up; a revocation through this service drops its entry. */
  readonly #cache = new Map<string, TokenView>();

  constructor(deps: TokenServiceDeps) {
    this.#store = deps.store;
    this.#events = deps.events;
    this.#now = deps.now ?? Date.now;
  }

  /** A new token; its `token` (the secret) is in this answer only. ConflictError if an active one has the name. */
  async create(name: string, role: Role, actor: string): Promise<CreatedToken> {
    if ((await this.list()).some((t) => t.name === name && t.revokedAt === undefined)) {
      throw new ConflictError(`name: an active token is already named ${name}`, {
        details: { field: 'name', name },
      });
    }
    const token = newSecret();
    const view: TokenView = {
      id: randomBytes(6).toString('hex'),
      name,
      role,
      createdAt: this.#now(),
      createdBy: actor,
    };
    await this.#store.commit([
      { op: 'put', key: keyOf(hashSecret(token)), value: view, ifVersion: 0 },
      this.#events.op({ type: 'token.created', data: { id: view.id, name, role, actor } }),
    ]);
    return { ...view, token };
  }

  /** Every token, revoked ones too, oldest first. */
  async list(): Promise<TokenView[]> {
    const docs = await this.#store.list<TokenView>(PREFIX);
    return docs.map((d) => d.value).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Revokes the active token with this id or name; a revoked one is answered as it is. NotFoundError if none. */
  async revoke(idOrName: string, actor: string): Promise<TokenView> {
    const docs = await this.#store.list<TokenView>(PREFIX);
    const doc =
      docs.find((d) => d.value.id === idOrName) ??
      docs.find((d) => d.value.name === idOrName && d.value.revokedAt === undefined);
    if (!doc) {
      throw new NotFoundError(`no token ${idOrName}`, { details: { field: 'id', id: idOrName } });
    }
    this.#cache.delete(doc.key.slice(PREFIX.length));
    if (doc.value.revokedAt !== undefined) return doc.value;
    const { id, name, role } = doc.value;
    const revoked: TokenView = { ...doc.value, revokedAt: this.#now(), revokedBy: actor };
    await this.#store.commit([
      { op: 'put', key: doc.key, value: revoked, ifVersion: doc.version },
      this.#events.op({ type: 'token.revoked', data: { id, name, role, actor } }),
    ]);
    return revoked;
  }

  /** The active token whose secret this is, or undefined (unknown or revoked). */
  async lookup(secret: string): Promise<TokenView | undefined> {
    const hash = hashSecret(secret);
    const cached = this.#cache.get(hash);
    if (cached) return cached;
    const doc = await this.#store.get<TokenView>(keyOf(hash));
    if (!doc || doc.value.revokedAt !== undefined) return undefined;
    this.#cache.set(hash, doc.value);
    return doc.value;
  }
}
