// A real IndexedDB implementation in memory for every unit test (no mocks of Dexie).
import 'fake-indexeddb/auto';
