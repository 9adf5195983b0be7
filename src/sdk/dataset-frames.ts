/** Cuts a byte stream of length-prefixed frames back into whole frames, each in its own aligned buffer. */

import { FRAME_PREFIX, frameLength } from '../codec/index.js';
import { InvalidError } from '../errors/index.js';

/** Yields each frame as a fresh, 8-aligned Uint8Array (one copy of the received bytes, no parsing). */
export async function* splitFrames(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const prefix = new Uint8Array(FRAME_PREFIX);
  let prefixFill = 0;
  let frame: Uint8Array | undefined;
  let fill = 0;
  for await (const chunk of body) {
    let at = 0;
    while (at < chunk.length) {
      if (!frame) {
        const take = Math.min(FRAME_PREFIX - prefixFill, chunk.length - at);
        prefix.set(chunk.subarray(at, at + take), prefixFill);
        prefixFill += take;
        at += take;
        if (prefixFill < FRAME_PREFIX) break;
        const length = frameLength(prefix);
        if (length < FRAME_PREFIX || length % 8 !== 0) {
          throw new InvalidError(`bad frame length ${length} in the dataset stream`, {
            details: { field: 'frame' },
          });
        }
        frame = new Uint8Array(length);
        frame.set(prefix);
        fill = FRAME_PREFIX;
        prefixFill = 0;
      }
      const take = Math.min(frame.length - fill, chunk.length - at);
      frame.set(chunk.subarray(at, at + take), fill);
      fill += take;
      at += take;
      if (fill === frame.length) {
        yield frame;
        frame = undefined;
      }
    }
  }
  if (frame || prefixFill > 0) {
    throw new InvalidError('the dataset stream ended in the middle of a frame', {
      details: { field: 'frame' },
    });
  }
}
