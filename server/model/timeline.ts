import { z } from 'zod';

/** What can happen to an incident or a change; each is one entry of its timeline. */
export const TimelineKind = z.enum([
  'created', 'status', 'priority', 'assignee', 'urgency', 'note', 'change-linked', 'window',
  'approval', 'assessment', 'review',
]);
export type TimelineKind = z.infer<typeof TimelineKind>;

export const TimelineEntry = z.object({
  id: z.string(),
  at: z.string(),
  kind: TimelineKind,
  by: z.string().nullable().describe('the token name that did it; null when servicegraph did (live re-computation)'),
  text: z.string().describe('what happened, in words'),
  data: z.record(z.string(), z.unknown()).optional().describe('the facts behind the text (from/to, team, decision, score, ...)'),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const NoteInput = z.strictObject({ text: z.string().trim().min(1).max(10_000) });
export type NoteInput = z.infer<typeof NoteInput>;

/** Timeline entries kept on a record page; older ones beyond this are not listed. */
export const TIMELINE_LIMIT = 500;
