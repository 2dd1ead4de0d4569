// GetIdentityPoolRoles and SetIdentityPoolRoles. The model checks the shapes (role types, lengths, enums, at most
// 10 mappings); the rules the API reference states across fields are checked here, before anything is written:
// a mapping names a provider the pool has, Token and Rules mappings say how to resolve an ambiguous role, Rules
// mappings carry their rules (at most 25), and every role is an IAM role ARN.
import { invalidParameter, notAuthorized, resourceNotFound } from '../../protocol/errors.ts';
import type { IdentityPoolRoles, IdentityPoolStore, PoolRoleStore, RoleMapping } from '../../store/store.ts';
import type { CognitoIdentityHandlers } from '../context.ts';
import { requireOwnedPool } from '../pool-access.ts';
import { roleMappingProviders } from './pool-providers.ts';

/** "Up to 25 rules can be specified per identity provider" (the API reference; the model's own limit is 400). */
export const MAX_RULES_PER_PROVIDER = 25;

const IAM_ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** AWS's answer for a role it may not pass (a name instead of an ARN, too). */
function checkRoleArn(arn: string): void {
  if (!IAM_ROLE_ARN.test(arn)) throw notAuthorized(`Access to Role '${arn}' is forbidden.`);
}

function checkRoleMapping(providers: Set<string>, provider: string, mapping: RoleMapping): void {
  if (!providers.has(provider)) throw invalidParameter(`${provider} is not a valid RoleMapping ProviderName or is not a configured provider.`);
  if (mapping.AmbiguousRoleResolution === undefined) {
    throw invalidParameter(`The role mapping for ${provider} is of type ${mapping.Type}: it needs AmbiguousRoleResolution (AuthenticatedRole or Deny).`);
  }
  if (mapping.Type !== 'Rules') return;
  const rules = mapping.RulesConfiguration?.Rules;
  if (rules === undefined) throw invalidParameter(`The role mapping for ${provider} is of type Rules: it needs RulesConfiguration with its rules.`);
  if (rules.length > MAX_RULES_PER_PROVIDER) {
    throw invalidParameter(`The role mapping for ${provider} has ${rules.length} rules; at most ${MAX_RULES_PER_PROVIDER} can be specified per identity provider.`);
  }
  for (const rule of rules) checkRoleArn(rule.RoleARN);
}

export function poolRoleHandlers(store: IdentityPoolStore & PoolRoleStore): Pick<CognitoIdentityHandlers, 'GetIdentityPoolRoles' | 'SetIdentityPoolRoles'> {
  return {
    async GetIdentityPoolRoles(input, ctx) {
      const pool = await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      const { roles, roleMappings } = await store.getIdentityPoolRoles(pool.identityPoolId);
      return {
        IdentityPoolId: pool.identityPoolId,
        Roles: roles,
        ...(Object.keys(roleMappings).length > 0 && { RoleMappings: roleMappings }),
      };
    },

    async SetIdentityPoolRoles(input, ctx) {
      const pool = await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      for (const arn of Object.values(input.Roles)) checkRoleArn(arn);
      const providers = roleMappingProviders(pool);
      const roleMappings = input.RoleMappings ?? {};
      for (const [provider, mapping] of Object.entries(roleMappings)) checkRoleMapping(providers, provider, mapping);
      // The model's pattern has let only `authenticated` and `unauthenticated` through as keys.
      const roles: IdentityPoolRoles = { roles: input.Roles as IdentityPoolRoles['roles'], roleMappings };
      if (!(await store.setIdentityPoolRoles(pool.identityPoolId, roles))) throw resourceNotFound(`IdentityPool '${pool.identityPoolId}' not found.`);
    },
  };
}
