// A real IndexedDB implementation in memory for every unit test (no mocks of Dexie).
import 'fake-indexeddb/auto';
import { afterAll } from 'vitest';
import { closeTestStores } from './test-store.ts';

// PostgreSQL test stores a file opened are closed when it ends (tests/support/test-store.ts).
afterAll(closeTestStores);
