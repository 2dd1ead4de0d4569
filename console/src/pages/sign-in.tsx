// Sign-in with a developer key. The key is checked by a real call (ListIdentityPools) before it is kept, so a
// wrong one is refused here with the server's own error.
import { ListIdentityPoolsCommand } from '@aws-sdk/client-cognito-identity';
import { useState } from 'preact/hooks';
import { createApi } from '../aws.ts';
import type { DeveloperKey } from '../session.ts';
import { ErrorNote, Field } from '../ui/components.tsx';
import { useAction } from '../ui/async.ts';

export function SignIn({ region, onSignedIn }: { region: string; onSignedIn: (key: DeveloperKey) => void }) {
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecretAccessKey] = useState('');
  const action = useAction();

  const submit = async (event: Event) => {
    event.preventDefault();
    const key = { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim() };
    const ok = await action.run(async () => {
      await createApi(key, region).identity.send(new ListIdentityPoolsCommand({ MaxResults: 1 }));
      return true;
    });
    if (ok) onSignedIn(key);
  };

  return (
    <main class="sign-in">
      <form class="card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Cognito Sync console</h1>
        <p class="muted">
          Sign in with a developer key of this server (region {region}). It stays in this browser tab only and signs every request; closing the tab
          forgets it.
        </p>
        <Field
          label="Access key ID"
          name="accessKeyId"
          autoComplete="username"
          spellcheck={false}
          required
          value={accessKeyId}
          onInput={(e) => setAccessKeyId((e.target as HTMLInputElement).value)}
        />
        <Field
          label="Secret access key"
          name="secretAccessKey"
          type="password"
          autoComplete="current-password"
          required
          value={secretAccessKey}
          onInput={(e) => setSecretAccessKey((e.target as HTMLInputElement).value)}
        />
        <ErrorNote error={action.error} />
        <button type="submit" class="primary" disabled={action.running}>
          {action.running ? 'Checking the key…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
