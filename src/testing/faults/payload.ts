/** Seeded payloads for fault scenarios: float32 data of a random size, and its sha256. */
import { createHash } from 'node:crypto';

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** `count` float32 values from the run's generator (distinct per call, so every upload has its own bytes). */
export function floats(random: () => number, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = random() * 2 - 1;
  return out;
}

/** A size between `min` and `max` from the generator. */
export const between = (random: () => number, min: number, max: number): number =>
  min + Math.floor(random() * (max - min + 1));
