import type { z } from 'zod';
import type { Plan, PlanActor } from '../../shared/domain/apply-mutation.ts';
import { mutationArgsSchemas, type MutationArgs, type MutationName } from '../../shared/mutations.ts';
import { writeTables, type AppDB } from '../db/app-db.ts';
import { ensureClientId, takeNextMutationId } from '../db/meta.ts';
import { loadPinyin } from '../db/pinyin.ts';

/**
 * The planner and the local write path load with the first write, not with the first screen: they
 * carry every mutation's rules and the zod locale, and onboarding or a list needs none of them.
 */
const loadWritePath = () => import('../db/pending-base.ts');

/** The time, as the caller gives it: screens pass the app's clock, tests a fixed one. */
export type Clock = () => number;

/** Who writes, where, and when: every command takes one. */
export interface CommandContext {
  db: AppDB;
  actor: PlanActor;
  now: Clock;
}

export interface FieldError {
  /** Dotted path of the field, e.g. "changes.phone"; empty for the record as a whole. */
  path: string;
  message: string;
}

/** A write refused before anything was stored; `fieldErrors` name each bad field in Chinese. */
export class CommandError extends Error {
  readonly fieldErrors: FieldError[];
  constructor(fieldErrors: FieldError[]) {
    super(fieldErrors.map((p) => p.message).join('；'));
    this.name = 'CommandError';
    this.fieldErrors = fieldErrors;
  }

  /** One message per bad field, keyed by the field's own name ("changes.phone" -> "phone"; "form" for the record). */
  fieldMessages(): Record<string, string> {
    return Object.fromEntries(this.fieldErrors.map((p) => [p.path.split('.').at(-1) || 'form', p.message]));
  }

  static fromZod(error: z.ZodError): CommandError {
    return new CommandError(
      error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
    );
  }

  /** The planner's refusal: the same words the server would send back for the same write. */
  static fromPlan(plan: Extract<Plan, { ok: false }>): CommandError {
    return new CommandError([{ path: plan.path ?? '', message: plan.message }]);
  }
}

/** Parses with a schema, turning failure into a CommandError (never a half-written record). */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw CommandError.fromZod(result.error);
  return result.data;
}

/**
 * Every write goes through here (ARCHITECTURE.md sync steps 1 and 8): validate the args, then in ONE
 * transaction plan them with the shared planner over the device's records, write what the plan says
 * and append the outbox row. A write the planner refuses throws a CommandError and stores nothing:
 * the device refuses exactly what the server would. `at` defaults to the context's clock.
 */
export async function runCommand<N extends MutationName>(
  ctx: CommandContext,
  name: N,
  rawArgs: MutationArgs<N>,
  at: number = ctx.now(),
): Promise<void> {
  await runCommands(ctx, name, [rawArgs], at);
}

/**
 * Several mutations of one name in one transaction, all or none (an import): one outbox row each,
 * so the server applies and acknowledges them one by one.
 */
export async function runCommands<N extends MutationName>(
  ctx: CommandContext,
  name: N,
  rawArgs: readonly MutationArgs<N>[],
  at: number = ctx.now(),
): Promise<void> {
  const { db } = ctx;
  const batch = rawArgs.map((args) => validate(mutationArgsSchemas[name], args) as MutationArgs<N>);
  const [clientId, pinyinOf, { applyLocally }] = await Promise.all([
    ensureClientId(db),
    loadPinyin(),
    loadWritePath(),
  ]);
  await db.transaction('rw', writeTables(db), async () => {
    for (const args of batch) {
      const mutationId = await takeNextMutationId(db);
      const plan = await applyLocally(db, { name, args, mutationId, createdAt: at }, ctx.actor, pinyinOf);
      if (!plan.ok) throw CommandError.fromPlan(plan);
      await db.outbox.add({ clientId, mutationId, name, args, createdAt: at });
    }
  });
}
