// What every fuzz case must end in: a parse, or a typed 4xx error (InvalidError / TooLargeError) whose details name the place.
import { InvalidError, TooLargeError } from '../../src/errors/index.js';

/** Keys of `details` that say where in the input the fault is. */
const PLACE_KEYS = ['field', 'line', 'offset', 'file', 'tensor'];

/** Runs `parse`; resolves 'parsed' or 'refused', and rethrows anything else (another type, no place) as a failure. */
export async function parsedOrRefused(parse: () => unknown): Promise<'parsed' | 'refused'> {
  try {
    await parse();
    return 'parsed';
  } catch (err) {
    if (!(err instanceof InvalidError || err instanceof TooLargeError)) {
      throw new Error(`not a typed refusal: ${(err as Error)?.stack ?? String(err)}`);
    }
    if (!PLACE_KEYS.some((k) => k in err.details)) {
      throw new Error(`refusal names no place: ${err.message} ${JSON.stringify(err.details)}`);
    }
    return 'refused';
  }
}

/** Counts outcomes per format, printed once a property is done. */
export class Tally {
  readonly #counts = new Map<string, { parsed: number; refused: number }>();

  add(format: string, outcome: 'parsed' | 'refused'): void {
    const c = this.#counts.get(format) ?? { parsed: 0, refused: 0 };
    c[outcome]++;
    this.#counts.set(format, c);
  }

  print(title: string): void {
    for (const [format, c] of this.#counts) {
      console.log(
        `${title} ${format}: ${c.parsed + c.refused} cases, ${c.parsed} parsed, ${c.refused} refused`,
      );
    }
  }
}
