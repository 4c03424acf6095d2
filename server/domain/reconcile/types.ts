import type { CiRecord, RelationRecord } from '../../model/records.ts';

/** One source's assertion as the store keeps it (the provenance row). */
export interface StoredAssertion {
  targetId: string;
  source: string;
  scope: string;
  runId: string;
  firstSeen: string;
  lastSeen: string;
  active: boolean;
  values: Record<string, unknown>;
}

export interface ExistingCi { record: CiRecord; assertions: StoredAssertion[] }
export interface ExistingRelation { record: RelationRecord; assertions: StoredAssertion[] }

export type CiAction = 'create' | 'update' | 'unchanged' | 'restore' | 'retire';

export interface CiPlanItem {
  /** Position in the batch's `cis` (first occurrence), -1 for items touched by run completion. */
  index: number;
  action: CiAction;
  matchedBy: string[] | null;
  record: CiRecord;
  /** The previous record when one existed (for history). */
  previous: CiRecord | null;
  /** Assertions to upsert for this CI (this source's, or the ones run completion deactivates). */
  assertions: StoredAssertion[];
  /** Identifier keys to index for this CI. */
  newKeys: string[];
}

export interface RelationPlanItem {
  index: number;
  action: CiAction;
  record: RelationRecord;
  previous: RelationRecord | null;
  assertions: StoredAssertion[];
  /** Observed counters changed while the versioned fields did not: write the row, open no version. */
  touchOnly: boolean;
}

export interface BatchProblem {
  path: (string | number)[];
  code: string;
  message: string;
}
