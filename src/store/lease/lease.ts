/** One writer per store: an exclusive lease renewed by its holder, and a fencing token every write checks. */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, LeaseHeldError } from '../../errors/index.js';
import type { Store } from '../types.js';
import { describeHolder, goneFromThisHost, type LeaseHolder, thisProcess } from './holder.js';

/** The lease doc: rewritten (new version) at every renewal. */
export const LEASE_KEY = 'manager/lease';
/** The fence doc: rewritten only when the lease changes hands, so its version is the fencing token. */
export const FENCE_KEY = 'manager/fence';

interface LeaseDoc {
  holder: LeaseHolder;
  /** Epoch ms, on the holder's clock; hosts sharing a Redis store need clocks synced well within the TTL. */
  expiresAt: number;
}

export interface LeaseOptions {
  /** A holder that has not renewed for this long is gone; it renews every third of it. */
  ttlMs: number;
  /** Wait for the holder to go instead of refusing (a standby manager). */
  wait?: boolean;
  /** Appended to the refusal, saying what to do about it. */
  hint?: string;
  /** Called once per holder met while waiting. */
  onWait?(holder: LeaseHolder): void;
  /** A renewal found the lease taken over (`successor`, if still there): this holder's writes now fail. */
  onLost(successor: LeaseHolder | undefined): void;
  /** A renewal failed for another reason (store unreachable); renewals go on. */
  onRenewError?(error: unknown): void;
}

/**
 * Takes the lease on `store` and fences the store with it: from then on every write of `store` fails with
 * ConflictError once someone else holds the lease. Throws LeaseHeldError while a live holder has it (unless
 * `wait`). A holder is gone when its lease expired, or at once on LMDB when its process on this host is dead:
 * an LMDB store is a local file, so its holders ran here.
 */
export async function acquireLease(store: Store, options: LeaseOptions): Promise<Lease> {
  const holder = thisProcess();
  // Waiting adds at most this to a takeover, at one read per poll.
  const pollMs = Math.max(50, Math.round(options.ttlMs / 20));
  let announced: string | undefined;
  for (;;) {
    const current = await store.get<LeaseDoc>(LEASE_KEY);
    if (current && isLive(store, current.value)) {
      const other = current.value.holder;
      if (!options.wait) {
        const hint = options.hint ? `; ${options.hint}` : '';
        throw new LeaseHeldError(`another manager holds this store: ${describeHolder(other)}${hint}`, {
          details: { holder: other },
        });
      }
      if (announced !== other.id) options.onWait?.(other);
      announced = other.id;
      await sleep(pollMs);
      continue;
    }
    const fence = await store.get(FENCE_KEY);
    try {
      const { versions } = await store.commit([
        {
          op: 'put',
          key: LEASE_KEY,
          value: { holder, expiresAt: Date.now() + options.ttlMs } satisfies LeaseDoc,
          ifVersion: current?.version ?? 0,
        },
        { op: 'put', key: FENCE_KEY, value: holder.id, ifVersion: fence?.version ?? 0 },
      ]);
      store.setFence({ key: FENCE_KEY, version: versions[FENCE_KEY]! });
      return new Lease(store, holder, versions[LEASE_KEY]!, options);
    } catch (error) {
      // Another contender took it between our read and write: look again.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}

function isLive(store: Store, doc: LeaseDoc): boolean {
  if (doc.expiresAt <= Date.now()) return false;
  return !(store.backend === 'lmdb' && goneFromThisHost(doc.holder));
}

/** A held lease: renews itself until released or lost. */
export class Lease {
  readonly holder: LeaseHolder;
  readonly #store: Store;
  readonly #options: LeaseOptions;
  readonly #timer: NodeJS.Timeout;
  #version: number;
  #renewing: Promise<void> | undefined;
  #ended = false;
  #releasing: Promise<void> | undefined;

  constructor(store: Store, holder: LeaseHolder, version: number, options: LeaseOptions) {
    this.#store = store;
    this.holder = holder;
    this.#version = version;
    this.#options = options;
    this.#timer = setInterval(() => void this.renew(), options.ttlMs / 3);
    // The holder's own work keeps the process alive; the lease must not once that work is done.
    this.#timer.unref();
  }

  /** Adds the holder's URL, written at once so a refused or waiting manager can name it. */
  async setUrl(url: string): Promise<void> {
    this.holder.url = url;
    await this.renew();
  }

  /** Extends the lease by a TTL from now; one renewal at a time, none once released or lost. */
  renew(): Promise<void> {
    this.#renewing ??= this.#renewOnce().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  async #renewOnce(): Promise<void> {
    if (this.#ended) return;
    const doc: LeaseDoc = { holder: this.holder, expiresAt: Date.now() + this.#options.ttlMs };
    try {
      this.#version = await this.#store.put(LEASE_KEY, doc, { ifVersion: this.#version });
    } catch (error) {
      if (this.#ended) return;
      if (!(error instanceof ConflictError)) {
        this.#options.onRenewError?.(error);
        return;
      }
      this.#end();
      const successor = await this.#store.get<LeaseDoc>(LEASE_KEY).catch(() => undefined);
      this.#options.onLost(successor?.value.holder);
    }
  }

  /** Idempotent: stops renewing and deletes the lease doc, so the next manager starts at once. */
  release(): Promise<void> {
    this.#releasing ??= (async () => {
      const lost = this.#ended;
      this.#end();
      await this.#renewing;
      if (lost) return;
      try {
        await this.#store.delete(LEASE_KEY, { ifVersion: this.#version });
      } catch (error) {
        // Taken over meanwhile: the lease is no longer ours to delete.
        if (!(error instanceof ConflictError)) throw error;
      }
    })();
    return this.#releasing;
  }

  #end(): void {
    this.#ended = true;
    clearInterval(this.#timer);
  }
}
