import { appDb } from '../db/index.ts';
import { session } from './session.svelte.ts';
import { api } from './sync.svelte.ts';

/**
 * A photo's bytes: from this device first; a photo taken on another device is fetched once from the
 * server (when signed in and online) and kept, so it shows offline from then on.
 */
export async function photoBlob(id: string): Promise<Blob | undefined> {
  const local = await appDb.photos.get(id);
  if (local) return local.blob;
  if (!session.isSignedIn) return undefined;
  try {
    const blob = await api.getBlob(id);
    const image = await createImageBitmap(blob).catch(() => undefined);
    await appDb.photos.put({
      id,
      blob,
      type: blob.type,
      size: blob.size,
      width: image?.width ?? 0,
      height: image?.height ?? 0,
      createdAt: Date.now(),
      uploadedAt: Date.now(),
    });
    image?.close();
    return blob;
  } catch {
    return undefined;
  }
}
