/** The one MessagePack codec both backends use, so values round-trip alike (NaN, ±Infinity, Buffers). */
import { Packr } from 'msgpackr';

// Plain maps (no record extension) keep stored bytes readable by any MessagePack decoder; copyBuffers
// makes decoded binaries own their memory instead of pointing into a buffer the backend may reuse.
const packr = new Packr({ useRecords: false, copyBuffers: true });

export const encode = (value: unknown): Buffer => packr.pack(value);
export const decode = <T = unknown>(bytes: Uint8Array): T => packr.unpack(bytes) as T;
