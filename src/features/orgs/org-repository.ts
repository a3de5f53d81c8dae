// The one place that reads and writes GenesysOrg rows.
import type { Db } from '../../db/database.js';
import type { GenesysOrg, Prisma } from '../../db/generated/client.js';

export type OrgRecord = GenesysOrg;

export function createOrgRepository(db: Db) {
  return {
    list: (opts: { includeArchived: boolean }) =>
      db.genesysOrg.findMany({ where: opts.includeArchived ? {} : { archivedAt: null }, orderBy: [{ isSandbox: 'desc' }, { name: 'asc' }] }),
    find: (id: string) => db.genesysOrg.findUnique({ where: { id } }),
    findByName: (name: string) => db.genesysOrg.findUnique({ where: { name } }),
    findSandbox: () => db.genesysOrg.findFirst({ where: { isSandbox: true } }),
    findEnvManaged: () => db.genesysOrg.findFirst({ where: { managedBy: 'env' } }),
    create: (data: Prisma.GenesysOrgCreateInput) => db.genesysOrg.create({ data }),
    update: (id: string, data: Prisma.GenesysOrgUpdateInput) => db.genesysOrg.update({ where: { id }, data }),
    /** The org and what is kept about it alone (its last readiness check). */
    delete: (id: string) => db.$transaction([db.orgReadiness.deleteMany({ where: { orgId: id } }), db.genesysOrg.delete({ where: { id } })]),
    /** Rows encrypted with a given key (for key rotation). */
    listEncrypted: () => db.genesysOrg.findMany({ where: { clientSecretEnc: { not: null } } }),
    transaction: <T>(fn: (tx: Prisma.TransactionClient) => Promise<T>) => db.$transaction(fn),
  };
}

export type OrgRepository = ReturnType<typeof createOrgRepository>;
