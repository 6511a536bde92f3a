import type { Effect } from "../events.ts";
import type { RuleCommand } from "../rules/ruleCommands.ts";

export type CreateTarget = {
  type: "CreateTarget";
  targetId: string;
  clientId: string;
  targetName: string;
  baseURL: string;
  testPath?: string | null;
  region?: string | null;
  /** Default `allow`. */
  defaultEffect?: Effect;
  /** Default 30 000. */
  timeoutMs?: number;
  at: string;
};

/** Only the fields given change; null clears `testPath` or `region`. */
export type UpdateTarget = {
  type: "UpdateTarget";
  targetId: string;
  clientId: string;
  changes: {
    targetName?: string;
    baseURL?: string;
    testPath?: string | null;
    region?: string | null;
    defaultEffect?: Effect;
    timeoutMs?: number;
  };
  at: string;
};

/** `usedByProxyIds`: the live proxies that name this target, from the read model. */
export type DeleteTarget = {
  type: "DeleteTarget";
  targetId: string;
  clientId: string;
  usedByProxyIds: readonly string[];
  at: string;
};

export type TargetCommand = CreateTarget | UpdateTarget | DeleteTarget | RuleCommand;
