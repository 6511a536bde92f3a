import * as z from "zod";
import { isToken } from "../domain/httpSyntax.ts";
import { wholeNumber } from "../domain/fields.ts";
import { patternProblem } from "./pattern.ts";
import { parseRegexFlags } from "./regexFlags.ts";
import { DEFAULT_PRIORITY, RULE_LIMITS } from "./rule.ts";

/**
 * The flat spelling of a rule, checked. Null and the empty string (what a
 * form sends for a field left blank) both mean "no such condition", so a
 * presence is meaningless without its pattern and is dropped later
 * (`parseRule.ts`). Issues from a pattern carry `params.pattern`, so that the
 * refusal can say `invalid_pattern` when only patterns are wrong.
 */

const blank = (value: unknown) => (value === null || value === "" ? undefined : value);

const required = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined || issue.input === null ? "is required" : what;

export const patternSchema = z
  .string({ error: required("must be a string") })
  .min(1, { error: "must not be empty" })
  .max(RULE_LIMITS.patternLength, {
    error: `must be at most ${RULE_LIMITS.patternLength} characters`,
  })
  .superRefine((source, ctx) => {
    if (source.length > RULE_LIMITS.patternLength) return;
    const problem = patternProblem(source);
    if (problem !== null)
      ctx.addIssue({ code: "custom", message: problem, params: { pattern: true } });
  });

const PRESENCE_SPELLINGS: Record<string, "present" | "absent"> = {
  present: "present",
  must_exist: "present",
  absent: "absent",
  must_not_exist: "absent",
};

const presenceSchema = z.preprocess(
  (value) =>
    typeof value === "string" ? (PRESENCE_SPELLINGS[value.trim().toLowerCase()] ?? value) : value,
  z.enum(["present", "absent"], {
    error: "must be present or absent (must_exist and must_not_exist are accepted too)",
  }),
);

const lowerCase = (value: unknown) =>
  typeof value === "string" ? value.trim().toLowerCase() : value;

const pairSchema = z.object(
  {
    name: z.preprocess(blank, patternSchema),
    value: z.preprocess(blank, patternSchema.optional()),
    presence: z.preprocess(blank, presenceSchema.default("present")),
  },
  { error: "must be an object with name, value and presence" },
);

const pairsSchema = z.preprocess(
  (value) => (value === null || (Array.isArray(value) && value.length === 0) ? undefined : value),
  z
    .array(pairSchema, { error: "must be a list of { name, value, presence } conditions" })
    .max(RULE_LIMITS.pairConditions, {
      error: `must hold at most ${RULE_LIMITS.pairConditions} conditions`,
    })
    .optional(),
);

const methodsSchema = z.preprocess(
  (value) => (value === null || (Array.isArray(value) && value.length === 0) ? undefined : value),
  z
    .array(
      z
        .string({ error: "must be an HTTP method name" })
        .refine(isToken, { error: "must be an HTTP method name" }),
      { error: "must be a list of HTTP method names" },
    )
    .max(RULE_LIMITS.methods, { error: `must hold at most ${RULE_LIMITS.methods} methods` })
    // RFC 9110 §9.1 makes methods case-sensitive, but every registered one is
    // upper case and the proxy compares upper case, so `delete` means DELETE.
    .transform((methods) => [...new Set(methods.map((method) => method.toUpperCase()))])
    .optional(),
);

const rateLimitSchema = z.preprocess(
  blank,
  z
    .object(
      {
        limit: wholeNumber(1, RULE_LIMITS.rateLimit, required("must be a number")),
        window: z.preprocess(
          lowerCase,
          z.enum(["second", "minute", "hour", "day"], {
            error: "must be second, minute, hour or day",
          }),
        ),
      },
      { error: "must be an object { limit, window }" },
    )
    .optional(),
);

const regexFlagsSchema = z.preprocess(
  blank,
  z
    .string({ error: "must be a string of flags such as i" })
    .max(10, { error: "must be at most 10 characters" })
    .superRefine((flags, ctx) => {
      const parsed = parseRegexFlags(flags);
      if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
    })
    .optional(),
);

export const ruleSchema = z.object({
  effect: z.preprocess(
    lowerCase,
    z.enum(["allow", "deny"], {
      error: (issue) => (issue.input === undefined ? "is required" : "must be allow or deny"),
    }),
  ),
  priority: z.preprocess(
    (value) => (value === null ? undefined : value),
    wholeNumber(0, 1000).default(DEFAULT_PRIORITY),
  ),
  notes: z.preprocess(
    blank,
    z
      .string({ error: "must be a string" })
      .max(RULE_LIMITS.notesLength, {
        error: `must be at most ${RULE_LIMITS.notesLength} characters`,
      })
      .optional(),
  ),
  methods: methodsSchema,
  methodPattern: z.preprocess(blank, patternSchema.optional()),
  methodPresence: z.preprocess(blank, presenceSchema.optional()),
  pathPattern: z.preprocess(blank, patternSchema.optional()),
  pathPresence: z.preprocess(blank, presenceSchema.optional()),
  headers: pairsSchema,
  query: pairsSchema,
  regexFlags: regexFlagsSchema,
  rateLimit: rateLimitSchema,
});

export type CheckedRule = z.output<typeof ruleSchema>;
