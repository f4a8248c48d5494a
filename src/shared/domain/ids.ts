import { v7 as uuidv7 } from 'uuid';

/** Time-ordered ids (ARCHITECTURE.md "Names and style"): they sort by creation and insert fast. */
export function newId(): string {
  return uuidv7();
}

/** A v7 id from given bytes, for generators that must be deterministic. */
export function deterministicId(msecs: number, random: Uint8Array): string {
  return uuidv7({ msecs, random });
}
