// The one place that reads and writes GenesysOrg rows. Writes take the caller's transaction, so an org
// change and its audit entry commit together.
import type { Db } from '../../db/database.js';
import type { GenesysOrg, Prisma } from '../../db/generated/client.js';
import { clientIn, within, type Transaction } from '../../db/transaction.js';

export type OrgRecord = GenesysOrg;

export function createOrgRepository(db: Db) {
  return {
    list: (opts: { includeArchived: boolean }) =>
      db.genesysOrg.findMany({
        where: opts.includeArchived ? {} : { archivedAt: null },
        orderBy: [{ isSandbox: 'desc' }, { name: 'asc' }],
      }),
    /** Every org, archived too, by name (filters of the audit log). */
    listNames: () => db.genesysOrg.findMany({ select: { id: true, name: true }, orderBy: { name: 'asc' } }),
    find: (id: string, tx?: Transaction) => clientIn(db, tx).genesysOrg.findUnique({ where: { id } }),
    findByName: (name: string, tx?: Transaction) => clientIn(db, tx).genesysOrg.findUnique({ where: { name } }),
    findSandbox: () => db.genesysOrg.findFirst({ where: { isSandbox: true } }),
    findEnvManaged: () => db.genesysOrg.findFirst({ where: { managedBy: 'env' } }),
    create: (data: Prisma.GenesysOrgCreateInput, tx?: Transaction) => clientIn(db, tx).genesysOrg.create({ data }),
    update: (id: string, data: Prisma.GenesysOrgUpdateInput, tx?: Transaction) =>
      clientIn(db, tx).genesysOrg.update({ where: { id }, data }),
    /** The org and what is kept about it alone (its last readiness check: no foreign key to cascade). */
    delete: (id: string, tx?: Transaction) =>
      within(db, tx, async (c) => {
        await c.orgReadiness.deleteMany({ where: { orgId: id } });
        await c.genesysOrg.delete({ where: { id } });
      }),
    /** Orgs with a stored (encrypted) client secret, by name (start-up key check, key rotation). */
    listEncrypted: () =>
      db.genesysOrg.findMany({ where: { clientSecretEnc: { not: null } }, orderBy: { name: 'asc' } }),
    /** Replaces stored secrets all at once (key rotation: every secret under the new key, or none). */
    replaceSecrets: (secrets: { id: string; clientSecretEnc: string; secretKeyId: string }[]) =>
      db.$transaction(async (tx) => {
        for (const { id, ...data } of secrets) await tx.genesysOrg.update({ where: { id }, data });
      }),
  };
}

export type OrgRepository = ReturnType<typeof createOrgRepository>;
