// A winston transport that keeps formatted JSON lines in memory, so tests can read what was logged.
import Transport from 'winston-transport';
import winston from 'winston';

export class MemoryTransport extends Transport {
  readonly lines: string[] = [];
  constructor() {
    super({ format: winston.format.json() });
  }
  override log(info: Record<string | symbol, unknown>, done: () => void): void {
    this.lines.push(String(info[Symbol.for('message')]));
    done();
  }
  entries(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}
