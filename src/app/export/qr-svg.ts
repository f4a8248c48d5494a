/**
 * A QR code as one SVG path, made on the device (offline) with uqr. Only the card screen imports
 * this, so the encoder loads with it and never with the first screen.
 */
import { encode } from 'uqr';

export interface QrPath {
  /** Modules per side, quiet zone included: the SVG's viewBox is 0 0 size size. */
  size: number;
  /** One subpath per dark run of a row (M x y h n v1 h-n z). */
  d: string;
}

/** Error correction M (15 %): a card on a door gets dirty; four modules of quiet zone, as the standard asks. */
export function qrPath(text: string): QrPath {
  const { data, size } = encode(text, { ecc: 'M', border: 4 });
  let d = '';
  data.forEach((row, y) => {
    for (let x = 0; x < size; x++) {
      if (!row[x]) continue;
      let run = 1;
      while (x + run < size && row[x + run]) run++;
      d += `M${x} ${y}h${run}v1h-${run}z`;
      x += run - 1;
    }
  });
  return { size, d };
}
