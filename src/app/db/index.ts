import { AppDB } from './app-db.ts';

/** The one database the app uses; tests make their own AppDB with another name. */
export const appDb = new AppDB();

// Open now rather than on the first query: it overlaps with loading the settings at start-up
// (the bench measured ~100 ms less before the database is ready on a throttled phone).
void appDb.open().catch(() => {
  // A failure surfaces on the first query, where the screen can show it.
});
