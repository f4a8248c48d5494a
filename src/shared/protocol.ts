import { z } from 'zod';
import { MUTATION_NAMES, type MutationName } from './mutations.ts';
import { epochMsSchema } from './schemas/common.ts';

/** Sent with every sync request; the server refuses a mismatch with reason `protocol-version`. */
export const PROTOCOL_VERSION = 1;

/**
 * One queued write (ARCHITECTURE.md sync step 1). `mutationId` is per-client and strictly increasing,
 * so the server can skip what it has already applied.
 */
export const mutationSchema = z.object({
  clientId: z.string().min(8).max(64),
  mutationId: z.number().int().positive(),
  name: z.enum(MUTATION_NAMES as [MutationName, ...MutationName[]]),
  args: z.unknown(),
  createdAt: epochMsSchema,
});
export type Mutation = z.infer<typeof mutationSchema>;
