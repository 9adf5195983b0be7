/**
 * A pickle reader for the opcodes torch's state-dict pickles use (protocol 2, and the protocol 4 forms of the
 * same operations). It never imports or calls anything: globals and calls go to the caller's `Unpickler` hooks,
 * which decide what each allowed global means and refuse the rest.
 */

export class PickleError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A `module.name` the pickle refers to; only the hooks give it meaning. */
export class Global {
  constructor(readonly name: string) {}
}

export type Dict = Map<unknown, unknown>;

export interface Unpickler {
  /** Resolves a global; throws for any it does not allow. */
  global(name: string, offset: number): unknown;
  /** `callable(*args)` for REDUCE. */
  reduce(callable: unknown, args: unknown[], offset: number): unknown;
  /** `obj.__setstate__(state)` for BUILD; returns the object that stays on the stack. */
  build(obj: unknown, state: unknown, offset: number): unknown;
  persistentLoad(pid: unknown, offset: number): unknown;
}

const MARK = Symbol('mark');

export function unpickle(bytes: Uint8Array, hooks: Unpickler): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;
  let op = 0;
  const fail = (message: string): never => {
    throw new PickleError(message, op);
  };
  const take = (n: number): number => {
    if (pos + n > bytes.length) fail('truncated');
    const at = pos;
    pos += n;
    return at;
  };
  const text = (n: number) => Buffer.from(bytes.subarray(take(n), pos)).toString('utf8');
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('truncated');
    const value = text(end - pos);
    take(1);
    return value;
  };
  const pop = (): unknown => (stack.length === 0 ? fail('stack underflow') : stack.pop());
  const top = (): unknown => (stack.length === 0 ? fail('stack underflow') : stack[stack.length - 1]);
  const popMark = (): unknown[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail('no MARK');
    const items = stack.splice(at);
    items.shift();
    return items;
  };
  const get = (key: number) => (memo.has(key) ? memo.get(key) : fail(`memo ${key} is not set`));
  const dict = (value: unknown): Dict => (value instanceof Map ? value : fail('SETITEM on a non-dict'));
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : fail('APPEND on a non-list'));
  const setItems = (d: Dict, items: unknown[]) => {
    if (items.length % 2) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
  };
  for (;;) {
    op = pos;
    const code = bytes[take(1)]!;
    switch (code) {
      case 0x80: // PROTO
        take(1);
        break;
      case 0x95: // FRAME: a length prefix only; the opcodes follow inline
        take(8);
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const n = code - 0x84;
        if (stack.length < n) fail('stack underflow');
        stack.push(stack.splice(stack.length - n));
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(dict(top()), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(dict(top()), items);
        break;
      }
      case 0x61: {
        // APPEND
        const value = pop();
        list(top()).push(value);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        list(top()).push(...items);
        break;
      }
      case 0x4a: // BININT
        stack.push(view.getInt32(take(4), true));
        break;
      case 0x4b: // BININT1
        stack.push(view.getUint8(take(1)));
        break;
      case 0x4d: // BININT2
        stack.push(view.getUint16(take(2), true));
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement of n bytes
        const n = view.getUint8(take(1));
        const at = take(n);
        let value = 0n;
        for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[at + i]!);
        if (n > 0 && bytes[at + n - 1]! & 0x80) value -= 1n << BigInt(8 * n);
        if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
          fail(`integer ${value} is out of range`);
        }
        stack.push(Number(value));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        stack.push(view.getFloat64(take(8)));
        break;
      case 0x58: // BINUNICODE
        stack.push(text(view.getUint32(take(4), true)));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(view.getUint8(take(1))));
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x71: // BINPUT
        memo.set(view.getUint8(take(1)), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(view.getUint32(take(4), true), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(get(view.getUint8(take(1))));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(get(view.getUint32(take(4), true)));
        break;
      case 0x63: {
        // GLOBAL: "module\nname\n"
        const module = line();
        stack.push(hooks.global(`${module}.${line()}`, op));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(hooks.global(`${module}.${name}`, op));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        stack.push(hooks.reduce(callable, Array.isArray(args) ? args : fail('REDUCE needs a tuple'), op));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        stack.push(hooks.build(pop(), state, op));
        break;
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(pop(), op));
        break;
      default:
        fail(`unsupported opcode 0x${code.toString(16).padStart(2, '0')}`);
    }
  }
}
