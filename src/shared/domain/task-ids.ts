/**
 * The id of a task's item for one target, computed from the two ids: the server and every device
 * planning the same task.create name its items alike without sending 23,000 ids back and forth, and
 * a replayed create finds the very items it wrote before.
 */

type State = [number, number, number, number];

/**
 * cyrb128 (bryc, public domain): four 32-bit lanes mixed with Math.imul. Not cryptographic, and need
 * not be: it only has to spread distinct (task, target) pairs over 122 bits. Split in two so the
 * task's half is mixed once for all its targets.
 */
function absorb(state: State, text: string): State {
  let [h1, h2, h3, h4] = state;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  return [h1, h2, h3, h4];
}

function finish([h1, h2, h3, h4]: State): State {
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

const SEED: State = [1779033703, 3144134277, 1013904242, 2773480762];
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex16 = (n: number) => HEX[(n >>> 8) & 0xff]! + HEX[n & 0xff]!;
const hex32 = (n: number) => hex16(n >>> 16) + hex16(n);

/** The last task's half of the hash: a task's items are named one after another. */
let lastTask: { id: string; state: State } | undefined;

/** A UUID v8 (RFC 9562: custom bits, version 8, variant 10) naming the item of `targetId` in `taskId`. */
export function taskItemId(taskId: string, targetId: string): string {
  if (lastTask?.id !== taskId) lastTask = { id: taskId, state: absorb(SEED, `${taskId}/`) };
  const [a, b, c, d] = finish(absorb(lastTask.state, targetId));
  // Version nibble 8 at the start of the third group, variant bits 10 at the start of the fourth.
  const version = (b & 0x0fff) | 0x8000;
  const variant = ((c >>> 16) & 0x3fff) | 0x8000;
  return `${hex32(a)}-${hex16(b >>> 16)}-${hex16(version)}-${hex16(variant)}-${hex16(c)}${hex32(d)}`;
}
