// The outbound Amazon SNS client for push sync: platform endpoints for registered devices, and Publish to them.
// Built from the standard AWS SDK configuration: credentials from the default chain (environment, shared
// files, container or instance roles), `AWS_ENDPOINT_URL_SNS` (or `AWS_ENDPOINT_URL`) to point it elsewhere.
// The region is the one in the pool's application ARN — SNS platform applications live in one region, and an
// endpoint can only be created and published to there — so AWS_REGION is not needed.
import {
  CreatePlatformEndpointCommand,
  GetEndpointAttributesCommand,
  PublishCommand,
  SetEndpointAttributesCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import type { SnsPushMessage } from './push-message.ts';

const SNS_ARN_REGION = /^arn:aws[-a-z]*:sns:([-0-9a-z]+):/;

export type PublishOutcome = 'sent' | 'endpoint-gone';

export interface MobilePush {
  /**
   * The endpoint for `token` under the platform application, created if needed and (re-)enabled: SNS disables
   * an endpoint whose token the push service rejected, and a device registering that token again is live again.
   */
  registerEndpoint(applicationArn: string, token: string): Promise<string>;
  /** 'endpoint-gone' when SNS says the endpoint is disabled or no longer exists; other failures throw. */
  publish(endpointArn: string, message: SnsPushMessage): Promise<PublishOutcome>;
  close(): void;
}

/** SNS's answers that mean "this endpoint will not take pushes": drop it rather than retry. */
export const isEndpointGone = (error: unknown) => {
  const name = (error as { name?: string })?.name;
  return name === 'EndpointDisabledException' || name === 'NotFoundException';
};

export class SnsMobilePush implements MobilePush {
  private readonly clients = new Map<string, SNSClient>();

  private clientFor(arn: string): SNSClient {
    const region = SNS_ARN_REGION.exec(arn)?.[1];
    if (!region) throw new Error(`not an SNS ARN: ${arn}`);
    let client = this.clients.get(region);
    if (!client) {
      client = new SNSClient({ region, requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 } });
      this.clients.set(region, client);
    }
    return client;
  }

  async registerEndpoint(applicationArn: string, token: string): Promise<string> {
    const sns = this.clientFor(applicationArn);
    const created = await sns.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn: applicationArn, Token: token }));
    const endpointArn = created.EndpointArn;
    if (!endpointArn) throw new Error('SNS CreatePlatformEndpoint answered without an EndpointArn');
    // AWS's recommended registration: the same token returns the existing endpoint, which may have been disabled.
    const { Attributes: attributes = {} } = await sns.send(new GetEndpointAttributesCommand({ EndpointArn: endpointArn }));
    if (attributes.Enabled !== 'true' || attributes.Token !== token) {
      await sns.send(new SetEndpointAttributesCommand({ EndpointArn: endpointArn, Attributes: { Enabled: 'true', Token: token } }));
    }
    return endpointArn;
  }

  async publish(endpointArn: string, message: SnsPushMessage): Promise<PublishOutcome> {
    try {
      await this.clientFor(endpointArn).send(new PublishCommand({ TargetArn: endpointArn, ...message }));
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
