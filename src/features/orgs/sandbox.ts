// The sandbox org: the built-in Genesys Cloud emulator, started in-process on a loopback port with the demo
// contact-centre tables. Its state lives in DATA_DIR/sandbox/emulator.json, so edits survive restarts.
import path from 'node:path';
import { startEmulator, type RunningEmulator, type StartEmulatorOptions } from '../../emulator/emulator.js';
import type { Logger } from '../../lib/logger.js';

export interface SandboxCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * How the sandbox emulator behaves: unset in production (the default emulator); tests pick the profile they run
 * against (tests/helpers/emulator-profile.ts) and the clock the emulator shares with the gateway's waits.
 */
export type SandboxEmulatorOptions = Pick<StartEmulatorOptions, 'profile' | 'now'>;

export class SandboxManager {
  private emulator?: RunningEmulator;
  private starting?: Promise<RunningEmulator>;

  constructor(
    private readonly opts: {
      dataDir: string;
      logger: Logger;
      jobDelayMs?: number;
      readOnlyState?: boolean;
      emulator?: SandboxEmulatorOptions;
    },
  ) {}

  get stateFile(): string {
    return path.join(this.opts.dataDir, 'sandbox', 'emulator.json');
  }

  /** Starts the emulator once (concurrent callers share the start) and returns its port. */
  async ensure(creds: SandboxCredentials): Promise<number> {
    if (this.emulator) return this.emulator.port;
    this.starting ??= startEmulator({
      clients: [{ name: 'Sandbox', ...creds }],
      seed: 'demo',
      ...this.opts.emulator,
      persistFile: this.stateFile,
      readOnlyState: this.opts.readOnlyState,
      behaviour: { jobDelayMs: this.opts.jobDelayMs ?? 50 },
    }).then((emu) => {
      this.emulator = emu;
      this.opts.logger.info('sandbox org started', { event: 'sandbox.started', url: emu.url });
      return emu;
    });
    try {
      return (await this.starting).port;
    } finally {
      this.starting = undefined;
    }
  }

  /** Puts the demo data back (every sandbox table replaced). */
  async reset(creds: SandboxCredentials): Promise<void> {
    await this.ensure(creds);
    const emu = this.emulator!;
    emu.resetToDemo(emu.orgs[0]!.id);
    await emu.flush();
  }

  get running(): RunningEmulator | undefined {
    return this.emulator;
  }

  async stop(): Promise<void> {
    await this.emulator?.stop();
    this.emulator = undefined;
  }
}
