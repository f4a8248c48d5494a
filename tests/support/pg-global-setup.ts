/**
 * One PostgreSQL cluster for the whole Vitest run (started once: initdb costs seconds); each test
 * that needs PostgreSQL makes a fresh database on it (test-store.ts).
 */
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const cluster = await startPostgres();
  project.provide('pgUrl', cluster.url);
  return () => cluster.stop();
}
