import type { AppDB, PhotoRow } from './app-db.ts';

/** Long side after compression: sharp enough to read a meter or a crack, small enough for a 2G upload. */
export const PHOTO_MAX_SIDE = 1600;
export const PHOTO_QUALITY = 0.8;

export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Compresses on the device to a JPEG of at most 1600 px on the long side. Where the browser can
 * (Chrome, Android WebView, Safari 17+), createImageBitmap decodes and scales the photo off the main
 * thread, so a 12-megapixel camera photo neither freezes the screen nor costs the main thread a
 * second on a slow phone; EXIF orientation is applied by the browser. Elsewhere compressorjs does it
 * on a canvas.
 */
export async function compressPhoto(file: Blob): Promise<Blob> {
  if (typeof createImageBitmap === 'function' && typeof OffscreenCanvas === 'function') {
    try {
      return await compressWithImageBitmap(file);
    } catch {
      // A format the engine cannot decode into a bitmap, or no 2d context: the canvas path.
    }
  }
  return compressWithCanvas(file);
}

async function compressWithImageBitmap(file: Blob): Promise<Blob> {
  const original = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(original.width, original.height));
  const width = Math.max(1, Math.round(original.width * scale));
  const height = Math.max(1, Math.round(original.height * scale));
  let scaled: ImageBitmap;
  try {
    scaled =
      scale < 1
        ? await createImageBitmap(original, {
            resizeWidth: width,
            resizeHeight: height,
            resizeQuality: 'high',
          })
        : original;
  } catch (error) {
    original.close();
    throw error;
  }
  // A 12 MP bitmap is 48 MB: let it go now, not at the next garbage collection.
  if (scaled !== original) original.close();
  try {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d context');
    // JPEG has no transparency: a screenshot or PNG gets white behind it, not black.
    context.fillStyle = '#fff';
    context.fillRect(0, 0, width, height);
    // Sized explicitly: an engine that ignored the resize options still draws the whole photo, scaled.
    context.drawImage(scaled, 0, 0, width, height);
    return await canvas.convertToBlob({ type: 'image/jpeg', quality: PHOTO_QUALITY });
  } finally {
    scaled.close();
  }
}

async function compressWithCanvas(file: Blob): Promise<Blob> {
  const { default: Compressor } = await import('compressorjs');
  return new Promise((resolve, reject) => {
    new Compressor(file, {
      maxWidth: PHOTO_MAX_SIDE,
      maxHeight: PHOTO_MAX_SIDE,
      quality: PHOTO_QUALITY,
      mimeType: 'image/jpeg',
      convertSize: 0,
      success: resolve,
      error: reject,
    });
  });
}

async function dimensionsOf(blob: Blob): Promise<{ width: number; height: number }> {
  const bitmap = await createImageBitmap(blob);
  const size = { width: bitmap.width, height: bitmap.height };
  bitmap.close();
  return size;
}

/**
 * Compresses and stores a photo taken at `at`; returns its content address. Storing the same bytes
 * twice is a no-op, which is what makes the later upload idempotent.
 */
export async function storePhoto(db: AppDB, file: Blob, at: number): Promise<PhotoRow> {
  const blob = await compressPhoto(file);
  const bytes = await blob.arrayBuffer();
  const id = await sha256Hex(bytes);
  const existing = await db.photos.get(id);
  if (existing) return existing;
  const row: PhotoRow = {
    id,
    // Stored from the hashed bytes so what is shown and uploaded is byte-identical to the hash.
    blob: new Blob([bytes], { type: blob.type }),
    type: blob.type,
    size: bytes.byteLength,
    ...(await dimensionsOf(blob)),
    createdAt: at,
  };
  await db.photos.put(row);
  return row;
}
