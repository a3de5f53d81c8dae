// Named sets of knobs. `default` is Genesys where a public source settles it and lenient where nothing does;
// `realistic` turns every strictness on at once, as a real org may well be on its first day (README, emulator
// section): a role granted in Home only and without architect:datatable:delete, reads lagging writes by a few
// seconds (updates included), a response cap that a 500-row page of the VIP table exceeds (about 86 KB; 100 rows are about 18 KB),
// token throttling, and normalised values.
import type { EmulatorBehaviour } from './options.js';
import { PERMISSIONS, roleOf, type Role } from './permissions.js';

export const PROFILE_NAMES = ['default', 'realistic'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface Profile {
  behaviour: Partial<EmulatorBehaviour>;
  /** Role of every OAuth client that is not given its own; undefined = every permission everywhere. */
  role?: Role;
}

export const PROFILES: Record<ProfileName, Profile> = {
  default: { behaviour: {} },
  realistic: {
    behaviour: {
      oauthErrorStatus: 400,
      tokenRequestsPerMinute: 10,
      visibilityDelayMs: 3_000,
      updateVisibility: 'lagging',
      maxResponseBytes: 64_000,
      uploadContentType: 'text/csv',
      normaliseValues: true,
    },
    role: roleOf(
      PERMISSIONS.filter((p) => p !== 'architect:datatable:delete'),
      ['Home'],
    ),
  },
};
