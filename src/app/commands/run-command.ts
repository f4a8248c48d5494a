import type { z } from 'zod';
import { mutationArgsSchemas, type MutationArgs, type MutationName } from '../../shared/mutations.ts';
import { writeTables, type AppDB } from '../db/app-db.ts';
import { ensureClientId, takeNextMutationId } from '../db/meta.ts';

export interface FieldProblem {
  /** Dotted path of the field, e.g. "changes.phone"; empty for the record as a whole. */
  path: string;
  message: string;
}

/** A write refused before anything was stored; `problems` name each bad field in Chinese. */
export class CommandError extends Error {
  readonly problems: FieldProblem[];
  constructor(problems: FieldProblem[]) {
    super(problems.map((p) => p.message).join('；'));
    this.name = 'CommandError';
    this.problems = problems;
  }

  /** One message per bad field, keyed by the field's own name ("changes.phone" -> "phone"; "form" for the record). */
  fieldMessages(): Record<string, string> {
    return Object.fromEntries(this.problems.map((p) => [p.path.split('.').at(-1) || 'form', p.message]));
  }

  static fromZod(error: z.ZodError): CommandError {
    return new CommandError(
      error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
    );
  }
}

/** Parses with a schema, turning failure into a CommandError (never a half-written record). */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw CommandError.fromZod(result.error);
  return result.data;
}

/**
 * Every write goes through here (ARCHITECTURE.md sync step 1): validate the args, then in ONE
 * transaction apply them to the records and append the outbox row. If either fails, neither lands.
 * `apply` may throw a CommandError after reading current state (e.g. the merged record is invalid).
 */
export async function runCommand<N extends MutationName>(
  db: AppDB,
  name: N,
  rawArgs: MutationArgs<N>,
  apply: (args: MutationArgs<N>) => Promise<void>,
): Promise<void> {
  const args = validate(mutationArgsSchemas[name], rawArgs) as MutationArgs<N>;
  const clientId = await ensureClientId(db);
  // Every record table, the outbox and the mutation counter: a command may read or write any record.
  await db.transaction('rw', writeTables(db), async () => {
    await apply(args);
    await appendOutbox(db, clientId, name, args);
  });
}

/** For commands that write many mutations in one transaction (an import): call inside it. */
export async function appendOutbox(db: AppDB, clientId: string, name: MutationName, args: unknown) {
  const mutationId = await takeNextMutationId(db);
  await db.outbox.add({ clientId, mutationId, name, args, createdAt: Date.now() });
}
