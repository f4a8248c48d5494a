/**
 * The id of a task's item for one target, computed from the two ids: the server and every device
 * planning the same task.create name its items alike without sending 23,000 ids back and forth, and
 * a replayed create finds the very items it wrote before.
 */

/**
 * cyrb128 (bryc, public domain): four 32-bit lanes mixed with Math.imul. Not cryptographic, and need
 * not be: it only has to spread distinct (task, target) pairs over 122 bits.
 */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
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

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** A UUID v8 (RFC 9562: custom bits, version 8, variant 10) naming the item of `targetId` in `taskId`. */
export function taskItemId(taskId: string, targetId: string): string {
  const [a, b, c, d] = cyrb128(`${taskId}/${targetId}`);
  // Version nibble 8 at the start of the third group, variant bits 10 at the start of the fourth.
  const third = ((b & 0x0fff) | 0x8000) >>> 0;
  const fourth = ((c >>> 16) & 0x3fff) | 0x8000;
  const hexB = hex8(b);
  return `${hex8(a)}-${hexB.slice(0, 4)}-${hex8(third).slice(4)}-${hex8(fourth).slice(4)}-${hex8(c).slice(4)}${hex8(d)}`;
}
