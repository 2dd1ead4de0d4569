// Tags of an identity pool: TagResource, UntagResource, ListTagsForResource on the pool's ARN, and the same tags as
// IdentityPoolTags on Create/Update/DescribeIdentityPool (one place holds them: the pool's spec). The rules are
// AWS's for every tagged resource: at most 50 tags per pool, keys of 1–128 and values of 0–256 characters (the
// model checks those lengths), and the `aws:` prefix reserved.
import { invalidParameter, resourceNotFound } from '../../protocol/errors.ts';
import type { IdentityPool, IdentityPoolSpec, IdentityPoolStore } from '../../store/store.ts';
import type { CognitoIdentityHandlers, RequestContext } from '../context.ts';
import { requireOwnedPool } from '../pool-access.ts';
import { parsePoolArn } from './pool-arn.ts';

export const MAX_TAGS_PER_POOL = 50;
const RESERVED_PREFIX = 'aws:';

type Tags = Record<string, string>;

/** Refuses keys with the reserved prefix, in any case (`AWS:` too), as AWS does. */
export function checkTagKeys(keys: Iterable<string>): void {
  for (const key of keys) {
    if (key.toLowerCase().startsWith(RESERVED_PREFIX)) {
      throw invalidParameter(`Tag key '${key}' is not allowed: keys starting with '${RESERVED_PREFIX}' are reserved for AWS use.`);
    }
  }
}

function checkTagCount(tags: Tags): void {
  const count = Object.keys(tags).length;
  if (count > MAX_TAGS_PER_POOL) {
    throw invalidParameter(`An identity pool can have at most ${MAX_TAGS_PER_POOL} tags; this would give it ${count}.`);
  }
}

/** IdentityPoolTags as CreateIdentityPool and UpdateIdentityPool take them. */
export function checkPoolTags(tags: Tags | undefined): void {
  if (tags === undefined) return;
  checkTagKeys(Object.keys(tags));
  checkTagCount(tags);
}

/** The pool an ARN names, owned by the caller; any other ARN of the right form is a pool not found. */
async function requirePoolByArn(store: IdentityPoolStore, ctx: RequestContext, arn: string): Promise<IdentityPool> {
  const { region, accountId, identityPoolId } = parsePoolArn(arn);
  const pool = await requireOwnedPool(store, ctx.principal, identityPoolId);
  if (region !== ctx.region || accountId !== pool.accountId) throw resourceNotFound(`IdentityPool '${identityPoolId}' not found.`);
  return pool;
}

/** The spec with `tags`, leaving IdentityPoolTags out when none remain (as a pool created without tags has it). */
function withTags(spec: IdentityPoolSpec, tags: Tags): IdentityPoolSpec {
  const { IdentityPoolTags: _old, ...rest } = spec;
  return Object.keys(tags).length > 0 ? { ...rest, IdentityPoolTags: tags } : rest;
}

export function poolTagHandlers(
  store: IdentityPoolStore,
): Pick<CognitoIdentityHandlers, 'TagResource' | 'UntagResource' | 'ListTagsForResource'> {
  const change = async (pool: IdentityPool, update: (tags: Tags) => Tags) => {
    const changed = await store.changeIdentityPoolSpec(pool.identityPoolId, (spec) => withTags(spec, update({ ...spec.IdentityPoolTags })));
    if (!changed) throw resourceNotFound(`IdentityPool '${pool.identityPoolId}' not found.`);
  };
  return {
    async TagResource(input, ctx) {
      checkTagKeys(Object.keys(input.Tags));
      const pool = await requirePoolByArn(store, ctx, input.ResourceArn);
      await change(pool, (tags) => {
        const next = { ...tags, ...input.Tags };
        checkTagCount(next);
        return next;
      });
      return {};
    },

    async UntagResource(input, ctx) {
      checkTagKeys(input.TagKeys);
      const pool = await requirePoolByArn(store, ctx, input.ResourceArn);
      await change(pool, (tags) => {
        for (const key of input.TagKeys) delete tags[key];
        return tags;
      });
      return {};
    },

    async ListTagsForResource(input, ctx) {
      const pool = await requirePoolByArn(store, ctx, input.ResourceArn);
      return { Tags: pool.spec.IdentityPoolTags ?? {} };
    },
  };
}
