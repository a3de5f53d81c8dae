// The one place that reads and writes the User table. Changes take the caller's transaction, so a user
// change, the checks it depends on (the last active admin) and its audit entry commit together.
import type { Db } from '../../db/database.js';
import type { Prisma, Role, User } from '../../db/generated/client.js';
import { clientIn, type Transaction } from '../../db/transaction.js';

export type { Role, User };

export interface NewUser {
  email: string;
  displayName: string;
  passwordHash: string;
  role: Role;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function createUserRepository(db: Db) {
  return {
    findById: (id: number, tx?: Transaction) => clientIn(db, tx).user.findUnique({ where: { id } }),
    findByEmail: (email: string, tx?: Transaction) =>
      clientIn(db, tx).user.findUnique({ where: { email: normaliseEmail(email) } }),
    countActiveAdmins: () => db.user.count({ where: { role: 'ADMIN', disabled: false } }),
    /** Active administrators other than `userId` (whether `userId` may stop being one). */
    countOtherActiveAdmins: (userId: number, tx?: Transaction) =>
      clientIn(db, tx).user.count({ where: { role: 'ADMIN', disabled: false, id: { not: userId } } }),
    recordSignIn: (id: number, at: Date) => db.user.update({ where: { id }, data: { lastLoginAt: at } }),
    /** Everyone, active first, by name (user administration). */
    list: () => db.user.findMany({ orderBy: [{ disabled: 'asc' }, { displayName: 'asc' }] }),
    /** Everyone's id and name, by name (filters of the audit log). */
    listNames: () => db.user.findMany({ select: { id: true, displayName: true }, orderBy: { displayName: 'asc' } }),
    create: (data: NewUser & { mustChangePassword?: boolean; lastLoginAt?: Date }, tx?: Transaction) =>
      clientIn(db, tx).user.create({ data }),
    update: (id: number, data: Prisma.UserUpdateInput, tx?: Transaction) =>
      clientIn(db, tx).user.update({ where: { id }, data }),
    /** Deletes a user; their sessions and table rights go with them (cascade). */
    delete: (id: number, tx?: Transaction) => clientIn(db, tx).user.delete({ where: { id } }),
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
