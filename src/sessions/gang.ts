/**
 * A gang's ranks as one session: each rank's exit is counted, the first one to fail decides how the session ends
 * (its code, its signal, its reason) and tells the caller to stop the others; once every rank has exited the session
 * ends. Pure bookkeeping: the runtime does the stopping and the writing.
 */
import type { ExitInfo, SessionUsage } from '../executors/index.js';
import type { RankProcess } from './types.js';

/** How a finished gang ended: the failing rank's exit (or a clean one), with usage summed over ranks. */
export interface GangOutcome {
  info: ExitInfo;
  usage?: SessionUsage;
  /** The rank whose failure ended the gang. */
  rank?: number;
}

const failed = (i: ExitInfo): boolean => i.lost === true || i.oomKilled === true || i.exitCode !== 0;

function sum(a: SessionUsage | undefined, b: SessionUsage | undefined): SessionUsage | undefined {
  if (!a || !b) return a ?? b;
  const out: SessionUsage = { cpuSeconds: a.cpuSeconds + b.cpuSeconds };
  const peak = Math.max(a.peakMemoryMb ?? -1, b.peakMemoryMb ?? -1);
  if (peak >= 0) out.peakMemoryMb = peak;
  return out;
}

export class GangExits {
  readonly size: number;
  readonly #exited = new Set<number>();
  #failure: { rank: number; info: ExitInfo } | undefined;
  #usage: SessionUsage | undefined;
  /** Set when the gang could not start all its ranks: exits of those that did are no longer counted. */
  abandoned = false;

  constructor(size: number) {
    this.size = size;
  }

  get failedRank(): number | undefined {
    return this.#failure?.rank;
  }

  /**
   * Counts one rank's exit (a repeat is ignored). `stopOthers`: this is the first failure, the rest must stop;
   * `outcome`: every rank has exited, the session ends with it.
   */
  add(
    rank: number,
    info: ExitInfo,
    usage?: SessionUsage,
  ): { stopOthers: boolean; outcome: GangOutcome | undefined } {
    if (this.abandoned || this.#exited.has(rank)) return { stopOthers: false, outcome: undefined };
    this.#exited.add(rank);
    this.#usage = sum(this.#usage, usage);
    const stopOthers = this.#failure === undefined && failed(info);
    if (stopOthers) this.#failure = { rank, info };
    if (this.#exited.size < this.size) return { stopOthers, outcome: undefined };
    return { stopOthers, outcome: this.#outcome() };
  }

  #outcome(): GangOutcome {
    const usage = this.#usage ? { usage: this.#usage } : {};
    if (!this.#failure) return { info: { exitCode: 0, signal: null }, ...usage };
    const { rank, info } = this.#failure;
    const why =
      info.reason ?? (info.signal ? `killed by ${info.signal}` : `exited with code ${info.exitCode}`);
    return { info: { ...info, reason: `rank ${rank} ${why}` }, rank, ...usage };
  }
}

/** The record's ranks with one rank's exit set. */
export const withRankExit = (ranks: RankProcess[] | undefined, rank: number, info: ExitInfo): RankProcess[] =>
  (ranks ?? []).map((r) => (r.rank === rank ? { ...r, exitCode: info.exitCode, signal: info.signal } : r));
