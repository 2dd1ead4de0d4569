# An independent SigV4 client for test/signature-oracle.test.ts: botocore (the AWS SDK for Python's core), not
# the @smithy library the server wraps. Reads one JSON command on stdin, prints one JSON answer on stdout.
#
#   {"mode": "clients", "url", "accessKeyId", "secretAccessKey", "region"}
#     Calls the server through botocore's own clients end to end (its serializers, its signer, its HTTP stack):
#     header-signed JSON 1.1 and rest-json calls, a query string, a body, temporary credentials with a session
#     token, a presigned URL; then the same kind of calls with one byte changed after signing (in the signature,
#     in the body, in a signed header). Answers {"<case>": "accepted" | "<error code>"}.
#   {"mode": "sign", "region", "service", "accessKeyId", "secretAccessKey", "requests": [{method, url, headers, body}]}
#     Signs each request with botocore's SigV4Auth and answers them as sent: {method, url, headers: [[name, value], ...]
#     (repeated names kept, in order), body}. For what botocore's HTTP stack cannot send (a repeated header).
import json
import sys
import urllib.error
import urllib.request

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError


def outcome(call):
    try:
        call()
        return 'accepted'
    except ClientError as error:
        return error.response['Error']['Code']


def flip(text):
    """The same text (or bytes) with its last character changed (a hex digit stays a hex digit)."""
    if isinstance(text, bytes):
        return flip(text.decode()).encode()
    last = text[-1]
    return text[:-1] + ('0' if last != '0' else '1')


def clients(command):
    session = botocore.session.get_session()
    config = Config(retries={'max_attempts': 1, 'mode': 'standard'})
    common = dict(endpoint_url=command['url'], region_name=command['region'], config=config)
    developer = dict(aws_access_key_id=command['accessKeyId'], aws_secret_access_key=command['secretAccessKey'])
    identity = session.create_client('cognito-identity', **common, **developer)
    sync = session.create_client('cognito-sync', **common, **developer)
    results = {}

    pool = identity.create_identity_pool(IdentityPoolName='botocore-oracle', AllowUnauthenticatedIdentities=True)['IdentityPoolId']
    results['cognito-identity JSON 1.1: ListIdentityPools'] = outcome(lambda: identity.list_identity_pools(MaxResults=5))
    results['cognito-sync rest-json GET, encoded path: GetIdentityPoolConfiguration'] = outcome(
        lambda: sync.get_identity_pool_configuration(IdentityPoolId=pool))
    results['cognito-sync rest-json GET with a query string: ListIdentityPoolUsage'] = outcome(
        lambda: sync.list_identity_pool_usage(MaxResults=3))
    results['cognito-sync rest-json POST with a body: SetIdentityPoolConfiguration'] = outcome(
        lambda: sync.set_identity_pool_configuration(IdentityPoolId=pool, CognitoStreams={'StreamingStatus': 'DISABLED'}))

    # A device: unsigned GetId and GetCredentialsForIdentity, then Cognito Sync signed with the temporary
    # credentials (X-Amz-Security-Token).
    anonymous = session.create_client('cognito-identity', **common, aws_access_key_id='unused', aws_secret_access_key='unused')
    identity_id = anonymous.get_id(IdentityPoolId=pool)['IdentityId']
    credentials = anonymous.get_credentials_for_identity(IdentityId=identity_id)['Credentials']
    device = session.create_client('cognito-sync', **common, aws_access_key_id=credentials['AccessKeyId'],
                                   aws_secret_access_key=credentials['SecretKey'], aws_session_token=credentials['SessionToken'])
    where = dict(IdentityPoolId=pool, IdentityId=identity_id, DatasetName='oracle')
    pulled = {}
    results['temporary credentials, GET with query: ListRecords'] = outcome(lambda: pulled.update(device.list_records(**where, LastSyncCount=0)))
    results['temporary credentials, POST with a body: UpdateRecords'] = outcome(lambda: device.update_records(
        **where, SyncSessionToken=pulled['SyncSessionToken'],
        RecordPatches=[{'Op': 'replace', 'Key': 'k', 'Value': 'v \u00e9\u4e2d', 'SyncCount': 0}]))

    # Presigned by botocore (query-string authentication), fetched by a plain HTTP client.
    url = sync.generate_presigned_url('get_identity_pool_configuration', Params={'IdentityPoolId': pool}, ExpiresIn=300)
    try:
        with urllib.request.urlopen(url) as response:
            results['presigned URL: GetIdentityPoolConfiguration'] = 'accepted' if response.status == 200 else str(response.status)
    except urllib.error.HTTPError as error:
        results['presigned URL: GetIdentityPoolConfiguration'] = json.loads(error.read()).get('__type', str(error.code))
    assert '&X-Amz-Signature=' in url and url[-1] in '0123456789abcdef', url
    try:
        with urllib.request.urlopen(flip(url)) as response:
            results['presigned URL, one byte of its signature changed'] = 'accepted'
    except urllib.error.HTTPError as error:
        results['presigned URL, one byte of its signature changed'] = json.loads(error.read()).get('__type', str(error.code))

    # One byte changed after botocore signed the request, just before it goes on the wire.
    def tampering(change):
        tampered = session.create_client('cognito-sync', **common, **developer)
        tampered.meta.events.register('before-send', lambda request, **_: change(request))
        return tampered

    def change_signature(request):
        request.headers['Authorization'] = flip(request.headers['Authorization'])

    def change_body(request):
        body = request.body if isinstance(request.body, bytes) else request.body.encode()
        request.body = body.replace(b'DISABLED', b'DISABLEd')

    def change_signed_header(request):
        # One second later: the date stays well-formed and current, but is not what was signed.
        date = request.headers['X-Amz-Date']
        date = date.decode() if isinstance(date, bytes) else date
        request.headers['X-Amz-Date'] = flip(date[:-1]) + 'Z'

    results['one byte of the signature changed'] = outcome(lambda: tampering(change_signature).get_identity_pool_configuration(IdentityPoolId=pool))
    results['one byte of the body changed'] = outcome(lambda: tampering(change_body).set_identity_pool_configuration(
        IdentityPoolId=pool, CognitoStreams={'StreamingStatus': 'DISABLED'}))
    results['one byte of a signed header changed'] = outcome(lambda: tampering(change_signed_header).get_identity_pool_configuration(IdentityPoolId=pool))
    return results


def sign(command):
    signer = SigV4Auth(Credentials(command['accessKeyId'], command['secretAccessKey']), command['service'], command['region'])
    signed = []
    for spec in command['requests']:
        request = AWSRequest(method=spec['method'], url=spec['url'], data=spec.get('body', '').encode())
        for name, value in spec['headers']:
            request.headers[name] = value  # appends: a repeated name is two headers
        signer.add_auth(request)
        signed.append({'method': request.method, 'url': request.url, 'headers': [[n, v] for n, v in request.headers.items()], 'body': spec.get('body', '')})
    return signed


if __name__ == '__main__':
    command = json.load(sys.stdin)
    print(json.dumps(clients(command) if command['mode'] == 'clients' else sign(command)))
