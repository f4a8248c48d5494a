/**
 * Field edits as they travel: a key with a value sets the field, `null` clears it, an absent key
 * leaves it alone. (`undefined` cannot mean "clear": JSON drops such keys on the way to the server.)
 */
export function applyFieldChanges<T extends object>(record: T, changes: object): T {
  const result: Record<string, unknown> = { ...(record as Record<string, unknown>) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete result[key];
    else if (value !== undefined) result[key] = value;
  }
  return result as T;
}
