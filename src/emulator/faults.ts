// Scripted faults for tests and benchmarks: "fail the Nth matching request with 503", "hang", "reset the
// connection". Rules match on method, a path pattern (`*` matches within a segment, `**` across segments) and
// optionally the OAuth client; `nth` picks which matching request fires (1-based), `times` how often.

export type FaultAction =
  | { type: 'status'; status: number; retryAfterSeconds?: number }
  | { type: 'hang'; ms?: number }
  | { type: 'reset' }
  /** Process the request (the change is applied) and then drop the connection before answering. */
  | { type: 'reset-after-apply' };

export interface FaultRule {
  method?: string;
  path?: string;
  clientId?: string;
  /** Fire on the nth matching request (1-based); default: the first. */
  nth?: number;
  /** How many consecutive matching requests fire, starting at nth; default 1. Infinity = all. */
  times?: number;
  action: FaultAction;
}

interface ActiveRule extends FaultRule {
  seen: number;
  fired: number;
}

function globToRegExp(glob: string): RegExp {
  const escape = (part: string) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${glob.split('**').map(escape).join('.*')}$`);
}

export class FaultInjector {
  private rules: (ActiveRule & { pattern?: RegExp })[] = [];

  set(rules: FaultRule[]): void {
    this.rules = rules.map((r) => ({ ...r, seen: 0, fired: 0, pattern: r.path ? globToRegExp(r.path) : undefined }));
  }

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, seen: 0, fired: 0, pattern: rule.path ? globToRegExp(rule.path) : undefined });
  }

  clear(): void {
    this.rules = [];
  }

  /** The action to apply to this request, if a rule fires. */
  match(method: string, path: string, clientId: string | undefined): FaultAction | undefined {
    for (const rule of this.rules) {
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (rule.pattern && !rule.pattern.test(path)) continue;
      if (rule.clientId && rule.clientId !== clientId) continue;
      rule.seen++;
      const nth = rule.nth ?? 1;
      const times = rule.times ?? 1;
      if (rule.seen >= nth && rule.fired < times) {
        rule.fired++;
        return rule.action;
      }
    }
    return undefined;
  }
}
