import { z } from 'zod';

/** GET /api/v1/drift: declared relations traffic has not confirmed, and traffic nobody declared. */
export const DriftEnd = z.object({ id: z.string(), name: z.string(), class: z.string(), environment: z.string() });

export const DriftItem = z.object({
  id: z.string(),
  type: z.string(),
  from: DriftEnd,
  to: DriftEnd,
  provenance: z.array(z.string()),
  lastObserved: z.string().nullable().describe('last time traffic was seen on it; null when never'),
  calls: z.number().int(),
  errors: z.number().int(),
});
export type DriftItem = z.infer<typeof DriftItem>;

export const DriftReport = z.object({
  days: z.number().int(),
  asOf: z.string(),
  types: z.array(z.string()),
  declaredNotObserved: z.array(DriftItem).describe('declared (or manual), not observed within `days`: never, or last seen before the cutoff'),
  observedNotDeclared: z.array(DriftItem).describe('observed, and never declared by any source'),
  truncated: z.boolean(),
});
export type DriftReport = z.infer<typeof DriftReport>;
