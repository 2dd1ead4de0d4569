// Which of a pool's roles a caller gets, as Cognito Identity chooses it for GetCredentialsForIdentity and as the
// roles' trust (the basic flow through STS) allows it. Pure: the pool's roles and mappings and the verified claims
// of the caller's logins in, a role ARN or a refusal out.
//
// - An unauthenticated identity gets the pool's unauthenticated role.
// - An authenticated one gets the authenticated role, unless one of its logins' providers has a role mapping:
//   Rules are tried in order against that login's claims and the first that matches names the role; Token takes
//   the role the token prefers (`cognito:preferred_role`, or its only `cognito:roles` entry). With no match, or
//   several roles and no preference, AmbiguousRoleResolution decides: the authenticated role, or a refusal.
// - CustomRoleArn picks among the roles the login may take (any matching rule's, any of the token's roles, or
//   the authenticated role when the mapping falls back to it); any other role is refused.
// - A pool whose roles were never set (this server's own default) gives credentials without a role, since what
//   identity credentials may do here is fixed by the Cognito Sync rules; asking it for a role is refused as AWS
//   refuses a pool without roles.
import { notAuthorized, ServiceError } from '../../protocol/errors.ts';
import type { IdentityPoolRoles, MappingRule, RoleMapping } from '../../store/store.ts';

export interface RoleChoiceLogin {
  /** The provider, as role mappings are keyed (`accounts.google.com`, `<user pool>:<client id>`, the developer provider…). */
  provider: string;
  /** The verified claims of the login's token (empty for providers whose tokens carry none). */
  claims: Readonly<Record<string, unknown>>;
}

export interface RoleRequest {
  authenticated: boolean;
  /** The logins presented, in the order given; the first whose provider has a mapping decides. */
  logins: readonly RoleChoiceLogin[];
  customRoleArn?: string;
}

export const invalidIdentityPoolConfiguration = () =>
  new ServiceError('InvalidIdentityPoolConfigurationException', 'Invalid identity pool configuration. Check assigned IAM roles for this pool.');

const roleNotAllowed = (roleArn: string) =>
  notAuthorized(`Invalid CustomRoleArn: '${roleArn}' is not a role this identity may take in this identity pool.`);

/** A claim's values as text: a list claim (`cognito:groups`, `amr`) is matched value by value. */
function claimValues(claims: RoleChoiceLogin['claims'], name: string): string[] | undefined {
  const value = claims[name];
  if (value === undefined || value === null) return undefined;
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
}

/** A rule matches only a claim the token has ("the claim name that must be present in the token"). */
export function ruleMatches(rule: MappingRule, claims: RoleChoiceLogin['claims']): boolean {
  const values = claimValues(claims, rule.Claim);
  if (!values) return false;
  switch (rule.MatchType) {
    case 'Equals':
      return values.includes(rule.Value);
    case 'Contains':
      return values.some((v) => v.includes(rule.Value));
    case 'StartsWith':
      return values.some((v) => v.startsWith(rule.Value));
    case 'NotEqual':
      return !values.includes(rule.Value);
  }
}

interface MappedRoles {
  /** Every role the mapping lets this login take. */
  candidates: string[];
  /** The one it takes unasked; undefined when the mapping cannot tell (ambiguous). */
  preferred?: string;
  /** Why it cannot tell, for the refusal. */
  ambiguity: string;
}

function mappedRoles(provider: string, mapping: RoleMapping, claims: RoleChoiceLogin['claims']): MappedRoles {
  if (mapping.Type === 'Rules') {
    const candidates = (mapping.RulesConfiguration?.Rules ?? []).filter((rule) => ruleMatches(rule, claims)).map((rule) => rule.RoleARN);
    return { candidates, preferred: candidates[0], ambiguity: `no role mapping rule for '${provider}' matches this login` };
  }
  const candidates = claimValues(claims, 'cognito:roles') ?? [];
  const preferred = claimValues(claims, 'cognito:preferred_role')?.[0] ?? (candidates.length === 1 ? candidates[0] : undefined);
  const ambiguity = candidates.length === 0 ? `the '${provider}' token names no role` : `the '${provider}' token names several roles and no preferred one`;
  return { candidates, preferred, ambiguity };
}

/** The pool's default role for the request: refused as AWS refuses a pool without it. */
function defaultRole(config: IdentityPoolRoles, authenticated: boolean): string {
  const role = authenticated ? config.roles.authenticated : config.roles.unauthenticated;
  if (role === undefined) throw invalidIdentityPoolConfiguration();
  return role;
}

/**
 * The role GetCredentialsForIdentity gives; undefined for a pool whose roles were never set. Throws
 * InvalidIdentityPoolConfigurationException or NotAuthorizedException as AWS answers them.
 */
export function chooseRole(config: IdentityPoolRoles, request: RoleRequest): string | undefined {
  const custom = request.customRoleArn;
  if (Object.keys(config.roles).length === 0 && Object.keys(config.roleMappings).length === 0) {
    if (custom !== undefined) throw invalidIdentityPoolConfiguration();
    return undefined;
  }
  const mapped = request.authenticated ? request.logins.find((login) => config.roleMappings[login.provider] !== undefined) : undefined;
  if (!mapped) {
    const role = defaultRole(config, request.authenticated);
    if (custom !== undefined && custom !== role) throw roleNotAllowed(custom);
    return role;
  }
  const mapping = config.roleMappings[mapped.provider]!;
  const { candidates, preferred, ambiguity } = mappedRoles(mapped.provider, mapping, mapped.claims);
  if (custom !== undefined && candidates.includes(custom)) return custom;
  if (preferred !== undefined) {
    if (custom !== undefined && custom !== preferred) throw roleNotAllowed(custom);
    return preferred;
  }
  if (mapping.AmbiguousRoleResolution !== 'AuthenticatedRole') {
    throw notAuthorized(`Ambiguous role resolution denied: ${ambiguity}, and its role mapping resolves ambiguous roles with Deny.`);
  }
  const role = defaultRole(config, true);
  if (custom !== undefined && custom !== role) throw roleNotAllowed(custom);
  return role;
}

/**
 * Whether the caller may assume `roleArn` (STS AssumeRoleWithWebIdentity with a token of ours): the pool's role
 * for its kind of identity, which Cognito roles trust by `amr`, or a role its mapping gives it.
 */
export function mayAssumeRole(config: IdentityPoolRoles, request: Omit<RoleRequest, 'customRoleArn'>, roleArn: string): boolean {
  if (roleArn === (request.authenticated ? config.roles.authenticated : config.roles.unauthenticated)) return true;
  try {
    return chooseRole(config, { ...request, customRoleArn: roleArn }) === roleArn;
  } catch (error) {
    if (error instanceof ServiceError) return false;
    throw error;
  }
}
