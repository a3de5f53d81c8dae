// The one switch between the two emulators the integration tests of the gateway, table editing, bulk, undo,
// backups and restore run against: DTM_TEST_EMULATOR_PROFILE=default|realistic (unset = default). Every
// emulator those tests start takes its options from here (the sandbox through test-app.ts, emulatorWithTwoOrgs
// and registryFor through gateway-fixtures.ts, and the files' own startEmulator calls); options a test passes
// itself (a role, a behaviour knob, its own clock) still win, so a test of one knob stays that test.
//
// Time: the realistic emulator hides new rows and tables for 3 s, and the product waits that out by reading
// again with back-off through its injected Sleep. Waited for real, every own write would cost seconds. Under
// the realistic profile the emulators and the product's gateway therefore share `emulatorTime`: the product's
// longer waits move that clock forward instead of sleeping, so the emulator sees exactly the time the product
// waited (a product that waits too little still reads a stale answer). The app's ManualClock is left alone
// (sessions, audit times, schedules stay as the tests set them).
import { PROFILE_NAMES, PROFILES, type ProfileName } from '../../src/emulator/profiles.js';
import type { StartEmulatorOptions } from '../../src/emulator/emulator.js';
import { realSleep, type Clock, type Sleep } from '../../src/lib/clock.js';

function profileFromEnv(raw: string | undefined): ProfileName {
  const name = raw?.trim() || 'default';
  if (!(PROFILE_NAMES as readonly string[]).includes(name))
    throw new Error(`DTM_TEST_EMULATOR_PROFILE must be one of ${PROFILE_NAMES.join(', ')} (got "${raw}")`);
  return name as ProfileName;
}

export const TEST_EMULATOR_PROFILE: ProfileName = profileFromEnv(process.env.DTM_TEST_EMULATOR_PROFILE);
/**
 * A test that can only pass on the default emulator is skipped on the realistic one (`it.skipIf(onRealisticEmulator)`)
 * and its title says so and why, e.g. "… (default emulator only: needs datatable:delete)" (R10).
 */
export const onRealisticEmulator = TEST_EMULATOR_PROFILE === 'realistic';

/** Waits up to this long are slept for real: job polls and short retry pauses, which race real emulator timers. */
const REAL_WAIT_MS = 50;

/**
 * Real time plus the waits skipped so far. A sleeper jumps the clock to its own wake-up time (never further),
 * so two waits side by side move it once, as they would in real time.
 */
class SharedEmulatorTime implements Clock {
  private skipped = 0;
  now = (): number => Date.now() + this.skipped;
  skip(ms: number): void {
    this.skipped += ms;
  }
  sleep: Sleep = async (ms) => {
    if (ms <= REAL_WAIT_MS) return realSleep(ms);
    const wake = this.now() + ms;
    await new Promise((resolve) => setImmediate(resolve)); // others run first, as during a real pause
    this.skipped = Math.max(this.skipped, wake - Date.now());
  };
}

/** The clock of every emulator and gateway of this test file under the realistic profile. */
const emulatorTime = new SharedEmulatorTime();

/** Options for every startEmulator of the in-scope tests; a test's own options go after (they win). */
export function profileEmulatorOptions(): Pick<StartEmulatorOptions, 'profile' | 'now'> {
  return onRealisticEmulator ? { profile: 'realistic', now: emulatorTime.now } : { profile: 'default' };
}

/** Clock and Sleep of a gateway that talks to those emulators (none under default: waits stay real, as before). */
export function profileGatewayTime(): { clock: Clock; sleep: Sleep } | Record<string, never> {
  return onRealisticEmulator ? { clock: emulatorTime, sleep: emulatorTime.sleep } : {};
}

/**
 * Lets the emulators show what the test itself just wrote through the SDK (a table or rows made as setup):
 * their clock moves past the visibility delay, as a few seconds would. Nothing to do on the default emulator.
 * The product never gets this help: its own writes it must wait out itself.
 */
export function passVisibilityDelay(): void {
  if (onRealisticEmulator) emulatorTime.skip((PROFILES.realistic.behaviour.visibilityDelayMs ?? 0) + 1);
}

/** The demo tables (emulator seed), by name. Queue Routing is in the "Customer Care" division. */
const DEMO_TABLES = ['Emergency Flags', 'Holiday Calendar', 'Opening Hours', 'Queue Routing', 'VIP Customers'];

/** The demo tables the OAuth client can see: the realistic role is granted in Home only, not in Customer Care. */
export const DEMO_TABLES_SEEN = onRealisticEmulator
  ? DEMO_TABLES.filter((name) => name !== 'Queue Routing')
  : DEMO_TABLES;
