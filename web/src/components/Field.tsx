// A form field: its label, the control, a hint and the error beside it, tied together
// for screen readers (the control names them in aria-describedby).

import type { JSX } from 'preact';

export function Field(props: { name: string; label: string; error?: string; hint?: string; children: JSX.Element }) {
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <label for={`f-${props.name}`}>{props.label}</label>
      {props.children}
      {props.hint && (
        <p class="hint" id={`hint-${props.name}`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={`error-${props.name}`} data-testid={`error-${props.name}`} role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}

/** The ids a control's aria-describedby lists: its hint, its error. */
export const describedBy = (name: string, error?: string, hint?: boolean) =>
  [hint ? `hint-${name}` : '', error ? `error-${name}` : ''].filter(Boolean).join(' ') || undefined;
