// Operator roles (DESIGN.md "Operators"; issue 11). An operator holds one or more; every
// operation in operations.ts names the one role that may perform it.
// - operator_admin: creates and disables operators (nothing else: it is not a super-user).
// - isp_registrar: the ISP registry (approve, suspend, reactivate).
// - account_support: a cyberspace ID's account state (suspend, resume); never identity data.
// - key_custodian: signing keys.
// - auditor: reads and verifies the audit log.
// - lawful_access_officer: the two-officer lawful-access procedure.
export const ROLES = ['operator_admin', 'isp_registrar', 'account_support', 'key_custodian', 'auditor', 'lawful_access_officer'] as const;

export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);
