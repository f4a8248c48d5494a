import { AppDB } from './app-db.ts';

/** The one database the app uses; tests make their own AppDB with another name. */
export const appDb = new AppDB();
