/**
 * The last lines of what went over a channel (requests sent, replies, greetings, what was skipped),
 * kept in memory for a failed case's bundle: a failure that names a silent agent says little without
 * what the agent last said and was asked. Bounded, so a long or hostile session costs a fixed amount.
 */
export class ExchangeLog {
  private readonly kept: string[] = [];

  constructor(private readonly limit: number) {}

  add(line: string): void {
    this.kept.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    if (this.kept.length > this.limit) this.kept.shift();
  }

  lines(): string[] {
    return [...this.kept];
  }
}
