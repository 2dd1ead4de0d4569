// The answers a refused login gets, in Cognito Identity's own words where AWS's are known
// (../../../README.md "Signing in with login providers" lists them).
import { notAuthorized, ServiceError } from '../../protocol/errors.ts';

/** NotAuthorizedException `Invalid login token. <reason>`, AWS's wording for a token that fails a check. */
export const invalidLoginToken = (reason: string) => notAuthorized(`Invalid login token. ${reason}`);

/** A Logins key the pool does not name (or a token meant for another app of a provider it names). */
export const unsupportedProvider = () => notAuthorized('Token is not from a supported provider of this identity pool.');

/**
 * The provider could not answer (unreachable, timed out, failing): 400 ExternalServiceException, as AWS answers it.
 * The cause goes to the log, not to the caller.
 */
export const providerUnavailable = (provider: string) =>
  new ServiceError('ExternalServiceException', `The login provider '${provider}' could not be reached to verify the token; try again later.`);
