/** Tokens client: create (admin), list, revoke API tokens, and ask who the manager takes this client for. */
import {
  type CreatedToken,
  paths,
  type Role,
  type TokenList,
  type TokenView,
  type WhoAmI,
} from '../api/index.js';
import { type ClientOptions, clientOf, type SwarmlabClient } from './client.js';

export class TokensClient {
  readonly client: SwarmlabClient;

  constructor(client: SwarmlabClient | ClientOptions = {}) {
    this.client = clientOf(client);
  }

  /** The answer holds the secret (`token`); it cannot be read again. */
  create(name: string, role: Role): Promise<CreatedToken> {
    return this.client.json('POST', paths.tokens, { body: { name, role } });
  }

  list(): Promise<TokenList> {
    return this.client.json('GET', paths.tokens);
  }

  /** By id, or the name of an active token. */
  revoke(idOrName: string): Promise<TokenView> {
    return this.client.json('DELETE', paths.token(idOrName));
  }

  whoami(): Promise<WhoAmI> {
    return this.client.json('GET', paths.whoami);
  }
}
