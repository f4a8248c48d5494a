/**
 * A resident's photo, cleaned before it is stored: the page re-encodes it with a canvas (which
 * drops EXIF), but the server does not rely on that. Only JPEG and PNG are taken; from a JPEG every
 * APP1..APP15 segment (EXIF with GPS, XMP, ICC, maker notes) and every comment goes, from a PNG
 * every text, time and EXIF chunk. Anything that does not parse as one of the two is refused.
 */

export type CleanPhoto =
  { ok: true; type: 'image/jpeg' | 'image/png'; bytes: Uint8Array } | { ok: false; message: string };

const NOT_AN_IMAGE = '照片格式不对：只接受 JPEG 或 PNG 图片';
const BROKEN = '照片文件已损坏，请重新拍摄';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Chunks that draw the picture; everything else (tEXt, iTXt, zTXt, eXIf, tIME, …) is dropped. */
const PNG_KEPT = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND', 'tRNS', 'gAMA', 'sRGB', 'cHRM', 'pHYs']);

export function stripPhotoMetadata(bytes: Uint8Array): CleanPhoto {
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return stripJpeg(bytes);
  if (bytes.length > 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return stripPng(bytes);
  return { ok: false, message: NOT_AN_IMAGE };
}

const isDropped = (marker: number) => (marker >= 0xe1 && marker <= 0xef) || marker === 0xfe;
/** Markers with no length: TEM and the restart markers (SOI/EOI are handled apart). */
const isStandalone = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);

function stripJpeg(bytes: Uint8Array): CleanPhoto {
  const kept: Uint8Array[] = [bytes.subarray(0, 2)];
  let at = 2;
  for (;;) {
    if (at + 1 >= bytes.length || bytes[at] !== 0xff) return { ok: false, message: BROKEN };
    // Fill bytes: any number of 0xFF before a marker.
    while (at + 1 < bytes.length && bytes[at + 1] === 0xff) at++;
    const marker = bytes[at + 1]!;
    if (marker === 0xd9) {
      kept.push(bytes.subarray(at, at + 2));
      break;
    }
    if (isStandalone(marker)) {
      kept.push(bytes.subarray(at, at + 2));
      at += 2;
      continue;
    }
    if (at + 3 >= bytes.length) return { ok: false, message: BROKEN };
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length < 2 || at + 2 + length > bytes.length) return { ok: false, message: BROKEN };
    const end = at + 2 + length;
    if (marker === 0xda) {
      // Start of scan: entropy-coded data follows up to EOI (later segments of a progressive JPEG
      // are DHT/SOS, which are kept anyway). The scan may still hide an APPn after it: walk on.
      const scanEnd = nextMarkerAfterScan(bytes, end);
      kept.push(bytes.subarray(at, scanEnd));
      at = scanEnd;
      if (at >= bytes.length) break;
      continue;
    }
    if (!isDropped(marker)) kept.push(bytes.subarray(at, end));
    at = end;
  }
  return { ok: true, type: 'image/jpeg', bytes: concat(kept) };
}

/** The offset of the first real marker after entropy-coded data (0xFF00 and restarts are data). */
function nextMarkerAfterScan(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 1 < bytes.length; i++) {
    if (bytes[i] !== 0xff) continue;
    const next = bytes[i + 1]!;
    if (next === 0x00 || next === 0xff || (next >= 0xd0 && next <= 0xd7)) continue;
    return i;
  }
  return bytes.length;
}

function stripPng(bytes: Uint8Array): CleanPhoto {
  const kept: Uint8Array[] = [bytes.subarray(0, 8)];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let ended = false;
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at);
    const end = at + 12 + length;
    if (end > bytes.length) return { ok: false, message: BROKEN };
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (PNG_KEPT.has(type)) kept.push(bytes.subarray(at, end));
    at = end;
    if (type === 'IEND') {
      ended = true;
      break;
    }
  }
  return ended ? { ok: true, type: 'image/png', bytes: concat(kept) } : { ok: false, message: BROKEN };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
