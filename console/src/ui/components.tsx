// The few building blocks every page is made of, so the console keeps one look: notes for errors and progress,
// labelled fields, tables, a pager that follows the API's NextToken, and dates in one format.
import type { ComponentChildren, PartialInputHTMLAttributes } from 'preact';
import { useId, useState } from 'preact/hooks';
import { describeError } from '../errors.ts';

export function ErrorNote({ error, onRetry, retryLabel = 'Try again' }: { error: unknown; onRetry?: () => void; retryLabel?: string }) {
  if (!error) return null;
  const e = describeError(error);
  return (
    <div class="note error" role="alert">
      <p>
        <strong>{e.name}</strong>
        {e.status ? <span class="status"> (HTTP {e.status})</span> : null}: {e.message}
      </p>
      {e.hint ? <p class="hint">{e.hint}</p> : null}
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          {retryLabel}
        </button>
      ) : null}
    </div>
  );
}

export function Busy({ label }: { label: string }) {
  return (
    <p class="busy" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function Done({ children }: { children: ComponentChildren }) {
  return (
    <p class="note ok" role="status">
      {children}
    </p>
  );
}

/** A determinate progress bar with its figures in words, for long operations. */
export function Progress({ label, value, max }: { label: string; value: number; max?: number }) {
  return (
    <div class="progress" role="status" aria-live="polite">
      <progress value={max === undefined ? undefined : value} max={max} aria-label={label} />
      <span>
        {label}
        {max === undefined ? '' : ` — ${value} of ${max}`}
      </span>
    </div>
  );
}

type InputProps = Omit<PartialInputHTMLAttributes<HTMLInputElement>, 'type' | 'role'> & { label: string; hint?: string; type?: 'text' | 'password' };

export function Field({ label, hint, type, ...input }: InputProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {type === 'password' ? <input id={id} {...input} type="password" /> : <input id={id} {...input} type="text" />}
      {hint ? <small>{hint}</small> : null}
    </div>
  );
}

export function Check({ label, checked, onChange }: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label class="check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange((e.target as HTMLInputElement).checked)} /> {label}
    </label>
  );
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card">
      <header>
        <h2>{title}</h2>
        {actions ? <div class="actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

export function Facts({ items }: { items: Array<[string, ComponentChildren]> }) {
  return (
    <dl class="facts">
      {items.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value === undefined || value === null || value === '' ? <span class="muted">—</span> : value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="muted empty">{children}</p>;
}

export function When({ date }: { date?: Date }) {
  if (!date) return <span class="muted">—</span>;
  return <time dateTime={date.toISOString()}>{date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}</time>;
}

/**
 * Pages of a listing as the API pages it: the page's NextToken leads to the next page; the tokens seen so far lead
 * back. `tokens` is the stack of tokens of the pages before the current one.
 */
export function Pager({ tokens, next, onPage, busy }: { tokens: string[]; next?: string; onPage: (tokens: string[]) => void; busy?: boolean }) {
  if (tokens.length === 0 && !next) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={busy || tokens.length === 0} onClick={() => onPage(tokens.slice(0, -1))}>
        ← Previous page
      </button>
      <span>Page {tokens.length + 1}</span>
      <button type="button" disabled={busy || !next} onClick={() => next && onPage([...tokens, next])}>
        Next page →
      </button>
    </nav>
  );
}

export function Badge({ tone, children }: { tone: 'ok' | 'warn' | 'bad' | 'plain'; children: ComponentChildren }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

/** A destructive action asks once more, in place (no pop-up), and can be cancelled with the keyboard. */
export function ConfirmButton({ label, confirmLabel, question, onConfirm, busy }: { label: string; confirmLabel: string; question: string; onConfirm: () => void; busy?: boolean }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" class="danger" disabled={busy} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button
        type="button"
        class="danger"
        disabled={busy}
        ref={(el) => el?.focus()}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
