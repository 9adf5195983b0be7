/** The API token the user typed, kept in localStorage; `authNeeded` opens the token prompt. */
import { observable } from '../lib/observable.js';

const KEY = 'swarmlab.token';

export function getToken(): string | undefined {
  try {
    return localStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function setToken(token: string | undefined): void {
  if (token) localStorage.setItem(KEY, token);
  else localStorage.removeItem(KEY);
  tokenVersion.set(tokenVersion.get() + 1);
}

/** Why the manager refused us (shown in the prompt), or undefined when no prompt is needed. */
export const authNeeded = observable<string | undefined>(undefined);

/** Bumped whenever the token changes, so pages reload their data. */
export const tokenVersion = observable(0);
