import type { Effect } from "../domain/events.ts";

export type { Effect };

/** `present`: the condition holds when its pattern is found; `absent`: when it is not. */
export type Presence = "present" | "absent";

/**
 * A condition on a header or a query parameter. `name` and `value` are
 * patterns searched (not anchored) in the name and the value of each pair.
 * `present` holds when some pair matches the name (and the value, when
 * given); `absent` holds when none does.
 */
export type PairCondition = { name: string; value?: string; presence: Presence };

/** Fixed windows aligned to UTC: a `minute` window starts at second 0, a `day` at midnight. */
export type RateWindow = "second" | "minute" | "hour" | "day";

export type RateLimit = { limit: number; window: RateWindow };

/**
 * A rule as stored and answered (spec §2 "Rule"), in its one flat spelling.
 * Every condition is optional; the ones given must all hold. A presence is
 * stored only beside its pattern, and always there.
 */
export type RuleFields = {
  effect: Effect;
  /** 0..1000, default 0. Orders listings and explanations; never changes a decision. */
  priority: number;
  notes?: string;
  /** Upper case, no duplicates: the request's method must be one of them. */
  methods?: string[];
  /** Must match the whole method, compared without regard to case. */
  methodPattern?: string;
  methodPresence?: Presence;
  /** Searched in the canonical path (`core/proxy/canonicalPath.ts`). */
  pathPattern?: string;
  pathPresence?: Presence;
  headers?: PairCondition[];
  query?: PairCondition[];
  /** Some of `i`, `m`, `s`, in that order; applies to every pattern of the rule. */
  regexFlags?: string;
  rateLimit?: RateLimit;
};

export type Rule = RuleFields & { ruleId: string; createdAt: string; updatedAt: string };

/** Where a rule is attached, in evaluation order (spec §4 step 4). */
export type Scope = "proxyCredential" | "targetCredential" | "proxy" | "target";

export const SCOPES: readonly Scope[] = ["proxyCredential", "targetCredential", "proxy", "target"];

export const DEFAULT_PRIORITY = 0;

/** Bounds on one rule, so that neither storing nor compiling it can grow without limit. */
export const RULE_LIMITS = {
  patternLength: 1000,
  /** RE2 instructions, and the estimate checked before compiling (`patternSize.ts`). */
  programSize: 10_000,
  pairConditions: 20,
  methods: 20,
  notesLength: 2000,
  rateLimit: 1_000_000_000,
} as const;
