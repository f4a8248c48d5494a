/**
 * A pushed mutation's args, checked once per request with the shared schema (the device's check is
 * a courtesy, this one counts), and the refusal that turns into the mutation's rejection.
 */
import zhCN from 'zod/v4/locales/zh-CN.js';
import { readsOf, type RecordRef } from '../shared/domain/apply-mutation.ts';
import { mutationArgsSchemas, type MutationArgs, type MutationName } from '../shared/mutations.ts';
import type { Mutation, RejectionReason } from '../shared/protocol.ts';

const zhErrorMap = zhCN().localeError;

/** Thrown while a mutation is checked to refuse it; caught by applyOne, never escapes. */
export class Refusal extends Error {
  readonly reason: RejectionReason;
  constructor(reason: RejectionReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Mutations a department may send: it handles the orders it is given, and nothing else. */
export const DEPARTMENT_MUTATIONS: ReadonlySet<MutationName> = new Set<MutationName>(['problem.act']);

function parseArgs<N extends MutationName>(name: N, raw: unknown): MutationArgs<N> {
  const parsed = mutationArgsSchemas[name].safeParse(raw, { error: zhErrorMap });
  if (parsed.success) return parsed.data as MutationArgs<N>;
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  throw new Refusal('invalid', `${issue?.message ?? '数据不符合要求'}${path ? `（${path}）` : ''}`);
}

/** Each mutation's args parsed once per request (zod is a good part of a push's cost). */
type Parsed = { ok: true; args: MutationArgs<MutationName> } | { ok: false; refusal: Refusal };
const parsedArgs = new WeakMap<Mutation, Parsed>();

export function parsedOf(mutation: Mutation): Parsed {
  let parsed = parsedArgs.get(mutation);
  if (!parsed) {
    try {
      parsed = { ok: true, args: parseArgs(mutation.name, mutation.args) };
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      parsed = { ok: false, refusal: error };
    }
    parsedArgs.set(mutation, parsed);
  }
  return parsed;
}

/** What a mutation whose args parse reads, for loading ahead; anything else is refused in its turn. */
export function refsOf(mutation: Mutation): readonly RecordRef[] {
  const parsed = parsedOf(mutation);
  if (!parsed.ok) return [];
  try {
    return readsOf(mutation.name, parsed.args);
  } catch {
    return [];
  }
}
