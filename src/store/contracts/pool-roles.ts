// The storage contract for a pool's IAM side: its roles and role mappings (SetIdentityPoolRoles) and its principal
// tag attribute maps (SetPrincipalTagAttributeMap). Kept as the API gives them; what they mean is decided in
// services/cognito-identity/. The mappings keep the model's shapes (MappingRule, RoleMapping).
import type { RoleMapping } from '../../model/cognito-identity-types.ts';

export type { MappingRule, RoleMapping } from '../../model/cognito-identity-types.ts';

export type RoleType = 'authenticated' | 'unauthenticated';

/** GetIdentityPoolRoles's answer. A pool whose roles were never set has none of either. */
export interface IdentityPoolRoles {
  roles: Partial<Record<RoleType, string>>;
  /** Provider name (a `Logins` key, `<user pool provider>:<client id>` for user pools) → its mapping. */
  roleMappings: Record<string, RoleMapping>;
}

export interface PrincipalTagAttributeMap {
  useDefaults: boolean;
  /** Tag key → the claim (user attribute) whose value it takes. */
  principalTags: Record<string, string>;
}

export interface PoolRoleStore {
  getIdentityPoolRoles(identityPoolId: string): Promise<IdentityPoolRoles>;
  /** Replaces the pool's roles and role mappings; false when the pool does not exist. */
  setIdentityPoolRoles(identityPoolId: string, roles: IdentityPoolRoles): Promise<boolean>;
  /** Undefined when it was never set for this provider. */
  getPrincipalTagAttributeMap(identityPoolId: string, providerName: string): Promise<PrincipalTagAttributeMap | undefined>;
  /** Replaces the provider's map; false when the pool does not exist. */
  setPrincipalTagAttributeMap(identityPoolId: string, providerName: string, map: PrincipalTagAttributeMap): Promise<boolean>;
}
