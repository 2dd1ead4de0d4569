// The outbound Amazon SNS client for push sync: platform endpoints for registered devices, and Publish to them.
// Built from the standard AWS SDK configuration: credentials from the default chain (environment, shared
// files, web identity, container or instance roles), `AWS_ENDPOINT_URL_SNS` (or `AWS_ENDPOINT_URL`) to point it
// elsewhere. The region is the one in the pool's application ARN — SNS platform applications live in one region,
// and an endpoint can only be created and published to there — so AWS_REGION is not needed.
// @aws-sdk/client-sns is loaded on first use: nodes whose pools never use push sync do not carry it.
import type { SNSClient } from '@aws-sdk/client-sns';
import { Lazy } from './lazy-load.ts';
import type { SnsPushMessage } from './push-message.ts';

type SnsSdk = typeof import('@aws-sdk/client-sns');

const SNS_ARN_REGION = /^arn:aws[-a-z]*:sns:([-0-9a-z]+):/;

export type PublishOutcome = 'sent' | 'endpoint-gone';

export interface MobilePush {
  /**
   * The endpoint for `token` under the platform application, created if needed and (re-)enabled: SNS disables
   * an endpoint whose token the push service rejected, and a device registering that token again is live again.
   */
  registerEndpoint(applicationArn: string, token: string): Promise<string>;
  /** 'endpoint-gone' when SNS says the endpoint is disabled or no longer exists; other failures throw. `signal` aborts it. */
  publish(endpointArn: string, message: SnsPushMessage, signal?: AbortSignal): Promise<PublishOutcome>;
  close(): void;
}

/** SNS's answers that mean "this endpoint will not take pushes": drop it rather than retry. */
export const isEndpointGone = (error: unknown) => {
  const name = (error as { name?: string })?.name;
  return name === 'EndpointDisabledException' || name === 'NotFoundException';
};

export class SnsMobilePush implements MobilePush {
  private readonly sdk: Lazy<SnsSdk>;
  private readonly clients = new Map<string, SNSClient>();

  /** `loadSdk` is replaceable for tests of a failed load. */
  constructor(options: { loadSdk?: () => Promise<SnsSdk> } = {}) {
    this.sdk = new Lazy(options.loadSdk ?? (() => import('@aws-sdk/client-sns')));
  }

  private async clientFor(arn: string): Promise<{ sdk: SnsSdk; sns: SNSClient }> {
    const region = SNS_ARN_REGION.exec(arn)?.[1];
    if (!region) throw new Error(`not an SNS ARN: ${arn}`);
    const sdk = await this.sdk.get();
    let sns = this.clients.get(region);
    if (!sns) {
      sns = new sdk.SNSClient({ region, requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 } });
      this.clients.set(region, sns);
    }
    return { sdk, sns };
  }

  async registerEndpoint(applicationArn: string, token: string): Promise<string> {
    const { sdk, sns } = await this.clientFor(applicationArn);
    const created = await sns.send(new sdk.CreatePlatformEndpointCommand({ PlatformApplicationArn: applicationArn, Token: token }));
    const endpointArn = created.EndpointArn;
    if (!endpointArn) throw new Error('SNS CreatePlatformEndpoint answered without an EndpointArn');
    // AWS's recommended registration: the same token returns the existing endpoint, which may have been disabled.
    const { Attributes: attributes = {} } = await sns.send(new sdk.GetEndpointAttributesCommand({ EndpointArn: endpointArn }));
    if (attributes.Enabled !== 'true' || attributes.Token !== token) {
      await sns.send(new sdk.SetEndpointAttributesCommand({ EndpointArn: endpointArn, Attributes: { Enabled: 'true', Token: token } }));
    }
    return endpointArn;
  }

  async publish(endpointArn: string, message: SnsPushMessage, signal?: AbortSignal): Promise<PublishOutcome> {
    const { sdk, sns } = await this.clientFor(endpointArn);
    try {
      await sns.send(new sdk.PublishCommand({ TargetArn: endpointArn, ...message }), { abortSignal: signal });
      return 'sent';
    } catch (error) {
      if (isEndpointGone(error)) return 'endpoint-gone';
      throw error;
    }
  }

  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
