// The two PostgreSQL data sources the dashboards query, by the fixed uids provisioning/datasources gives them.
// Each connects as a read-only login (the sales one also reads mv_ops status and history).
export const POSTGRES_TYPE = 'grafana-postgresql-datasource';

/** Sales pack (`pos` views and report functions) and the operations dashboard (`mv_ops`). */
export const SALES_DATASOURCE_UID = 'matviewops-sales';

/** Funeral platform pack (`funeral.*`, through the tenant rules: a super admin's login or a tenant's). */
export const PLATFORM_DATASOURCE_UID = 'matviewops-platform';

export const DATASOURCE_UIDS = [SALES_DATASOURCE_UID, PLATFORM_DATASOURCE_UID] as const;

export const datasourceRef = (uid: string) => ({ type: POSTGRES_TYPE, uid });
