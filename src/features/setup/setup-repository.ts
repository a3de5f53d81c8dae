// First-run state. The wizard is single-shot because creating the first admin and inserting the
// `setup.completedAt` row happen in one transaction, and that row's primary key admits only one winner,
// even across processes sharing the database file.
import type { Db } from '../../db/database.js';
import { clientIn, createTransact } from '../../db/transaction.js';
import type { NewUser, User, UserRepository } from '../users/user-repository.js';

export const SETUP_COMPLETED_KEY = 'setup.completedAt';
export const SETUP_CONNECTION_STEP_KEY = 'setup.connectionStepDoneAt';

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === 'P2002';
}

export function createSetupRepository(db: Db, users: UserRepository) {
  const transact = createTransact(db);
  return {
    async isAdminCreated(): Promise<boolean> {
      return (await db.appSetting.count({ where: { key: SETUP_COMPLETED_KEY } })) > 0;
    },

    /** Creates the first admin, or returns null when setup was already completed (also by a concurrent request). */
    async createFirstAdmin(user: NewUser, at: Date): Promise<User | null> {
      try {
        return await transact(async (tx) => {
          await clientIn(db, tx).appSetting.create({ data: { key: SETUP_COMPLETED_KEY, value: at.toISOString() } });
          // The wizard signs the administrator in: that is their first sign-in (the users list shows it).
          return users.create({ ...user, role: 'ADMIN', lastLoginAt: at }, tx);
        });
      } catch (err) {
        if (isUniqueViolation(err)) return null;
        throw err;
      }
    },

    async isConnectionStepDone(): Promise<boolean> {
      return (await db.appSetting.count({ where: { key: SETUP_CONNECTION_STEP_KEY } })) > 0;
    },

    async markConnectionStepDone(at: Date): Promise<void> {
      await db.appSetting.upsert({
        where: { key: SETUP_CONNECTION_STEP_KEY },
        create: { key: SETUP_CONNECTION_STEP_KEY, value: at.toISOString() },
        update: {},
      });
    },
  };
}

export type SetupRepository = ReturnType<typeof createSetupRepository>;
