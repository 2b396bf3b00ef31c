/** Roles, from most to least powerful: admins manage users; supervisors see every call; operators their own. */
export const USER_ROLES = ['admin', 'supervisor', 'operator'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const USER_STATUSES = ['online', 'offline', 'away', 'busy'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** `extension` is an internal PBX extension (1001); the others are external numbers. */
export const PHONE_TYPES = ['extension', 'mobile', 'work', 'home', 'other'] as const;
export type PhoneType = (typeof PHONE_TYPES)[number];
