import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './aws.ts';

export interface ConsoleSession {
  api: Api;
  accessKeyId: string;
  /** The account the key belongs to (from the operator endpoint), for resource ARNs. */
  accountId?: string;
}

export const SessionContext = createContext<ConsoleSession | undefined>(undefined);

export function useSession(): ConsoleSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('no session: the page was rendered outside the signed-in console');
  return session;
}
