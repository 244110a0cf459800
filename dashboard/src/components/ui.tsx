/** Small shared pieces: confirmation dialog, progress bar, error line, JSON block, counts. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Progress } from '../bulk.js';

/** A button that asks before it acts. */
export function ConfirmButton(props: {
  label: string;
  question: string;
  onConfirm: () => void | Promise<void>;
  danger?: boolean;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button class={props.danger ? 'danger' : ''} onClick={() => setOpen(true)}>
        {props.label}
      </button>
      {open && (
        <div class="modal" role="dialog" aria-label={props.label}>
          <div class="modal-box">
            <p>{props.question}</p>
            <button
              class={props.danger ? 'danger' : 'primary'}
              onClick={() => {
                setOpen(false);
                void props.onConfirm();
              }}
            >
              Yes, {props.label.toLowerCase()}
            </button>
            <button onClick={() => setOpen(false)}>Cancel</button>
          </div>
        </div>
      )}
    </>
  );
}

export function ProgressBar({ p }: { p: Progress | undefined }) {
  if (!p) return null;
  const pct = p.total === 0 ? 100 : Math.round((100 * p.done) / p.total);
  return (
    <div
      class="progress"
      role="progressbar"
      aria-valuenow={pct}
      aria-valuemin={0}
      aria-valuemax={100}
    >
      <div class="bar" style={{ width: `${pct}%` }} />
      <span>{p.error ? `stopped: ${p.error}` : `${pct}% · ${p.affected} done`}</span>
    </div>
  );
}

export function ErrorLine({ error }: { error: Error | undefined }) {
  return error ? <p class="error">{error.message}</p> : null;
}

export function Json({ value }: { value: unknown }) {
  return <pre class="json">{value === undefined ? '–' : JSON.stringify(value, null, 2)}</pre>;
}

export function Card({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section class="card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function Counts({ c }: { c: Record<string, number> }) {
  return (
    <dl class="counts">
      {Object.entries(c).map(([k, v]) => (
        <div key={k} class={`count ${k}${v === 0 ? ' zero' : ''}`}>
          <dt>{k}</dt>
          <dd data-count={k}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
