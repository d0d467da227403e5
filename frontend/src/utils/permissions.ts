// Permission codes as the API names them (kb/accounts/roles.py). The UI asks for permissions, never for roles.

export const P = {
  search: 'search',
  read: 'entries:read',
  collections: 'collections:own',
  import: 'entries:import',
  readUnpublished: 'entries:read_unpublished',
  edit: 'entries:edit',
  submit: 'entries:submit',
  review: 'entries:review',
  publish: 'entries:publish',
  export: 'entries:export',
  analytics: 'analytics:read',
  audit: 'audit:read',
  users: 'users:manage',
  settings: 'settings:manage',
} as const

export type PermissionCode = (typeof P)[keyof typeof P]
