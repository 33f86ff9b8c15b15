/** A duty check (查岗, GB/T 26875.3 §8.3.2.15, type 91) as the console shows it. */
export interface DutyCheckState {
  /** waiting for someone on site; answered (the answer sent); missed (the time ran out unanswered). */
  state: 'waiting' | 'answered' | 'missed';
  /** Wall time the centre asked. */
  since: number;
  /** The centre's limit in minutes (0: none given). */
  timeoutMinutes: number;
  /** Wall time the answer is due; null without a limit. */
  deadline: number | null;
  answeredAt?: number;
  answeredBy?: string;
}

/**
 * The centre checks that someone is on duty at the site: it sends a duty check with a time limit,
 * the console shows it until a person confirms, and only then does the gateway answer (a type-24
 * operation with the duty-check-answer bit). The gateway never answers by itself: that would tell
 * the centre someone is there when nobody is (docs/gbt26875.md, "Duty check").
 */
export class DutyCheck {
  private current: DutyCheckState | null = null;

  constructor(private readonly now: () => number) {}

  /** The centre asked; a new check replaces one still waiting. */
  asked(timeoutMinutes: number): DutyCheckState {
    const since = this.now();
    this.current = { state: 'waiting', since, timeoutMinutes, deadline: timeoutMinutes > 0 ? since + timeoutMinutes * 60_000 : null };
    return this.current;
  }

  /** Someone on site confirmed. False when no check waits (none asked, answered already, or too late). */
  answer(by: string): boolean {
    const c = this.state();
    if (c === null || c.state !== 'waiting') return false;
    c.state = 'answered';
    c.answeredAt = this.now();
    c.answeredBy = by;
    return true;
  }

  /** The current check, marked missed once its deadline passed unanswered. */
  state(): DutyCheckState | null {
    const c = this.current;
    if (c !== null && c.state === 'waiting' && c.deadline !== null && this.now() > c.deadline) c.state = 'missed';
    return c;
  }
}
