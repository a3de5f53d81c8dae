// The one place that reads and writes the User table.
import type { Db } from '../../db/database.js';
import type { Role, User } from '../../db/generated/client.js';

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
    findById: (id: number) => db.user.findUnique({ where: { id } }),
    findByEmail: (email: string) => db.user.findUnique({ where: { email: normaliseEmail(email) } }),
    countActiveAdmins: () => db.user.count({ where: { role: 'ADMIN', disabled: false } }),
    recordSignIn: (id: number, at: Date) => db.user.update({ where: { id }, data: { lastLoginAt: at } }),
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
