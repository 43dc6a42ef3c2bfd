// An on/off switch (a button with role="switch"), large enough for a thumb.

export function Switch(props: { label: string; checked: boolean; disabled?: boolean; onChange: (on: boolean) => void; testid: string; hint?: string }) {
  return (
    <div class="switch-row">
      <button
        type="button"
        role="switch"
        class="switch"
        aria-checked={props.checked}
        disabled={props.disabled}
        data-testid={props.testid}
        data-on={props.checked ? 'true' : 'false'}
        onClick={() => props.onChange(!props.checked)}
      >
        <span class="switch-track" aria-hidden="true">
          <span class="switch-thumb" />
        </span>
        <span class="switch-label">{props.label}</span>
      </button>
      {props.hint && <p class="hint">{props.hint}</p>}
    </div>
  );
}
