/**
 * The photo, made small on the phone before it is sent: drawn on a canvas at most 1600 px on its
 * long side and encoded as JPEG (which also leaves its EXIF, GPS included, behind; the server
 * strips again anyway). toDataURL rather than toBlob: older Android WebViews lack the latter.
 */
const MAX_SIDE = 1600;
/** The server takes up to 1 MB; a little room for base64's rounding. */
const MAX_BYTES = 1000 * 1000;

function loadImage(file: File): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file);
    const image = new Image();
    image.onload = () => {
      URL.revokeObjectURL(url);
      resolve(image);
    };
    image.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error('not an image'));
    };
    image.src = url;
  });
}

/** Base64 JPEG (no data: prefix), or undefined when the file is not a picture the browser can read. */
export async function scaledJpeg(file: File): Promise<string | undefined> {
  let image: HTMLImageElement;
  try {
    image = await loadImage(file);
  } catch {
    return undefined;
  }
  for (const [side, quality] of [
    [MAX_SIDE, 0.8],
    [MAX_SIDE, 0.6],
    [1200, 0.6],
    [900, 0.5],
  ] as const) {
    const scale = Math.min(1, side / Math.max(image.naturalWidth, image.naturalHeight));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(image.naturalWidth * scale));
    canvas.height = Math.max(1, Math.round(image.naturalHeight * scale));
    canvas.getContext('2d')!.drawImage(image, 0, 0, canvas.width, canvas.height);
    const base64 = canvas.toDataURL('image/jpeg', quality).split(',')[1] ?? '';
    if (base64 !== '' && (base64.length * 3) / 4 <= MAX_BYTES) return base64;
  }
  return undefined;
}
