/** Login: the admin (or viewer) token, pasted once and kept in memory for this tab only. */
import { useState } from 'preact/hooks';
import { api, setToken } from '../../api/client.js';
import type { Session } from '../../api/types.js';

export function Login({ onLogin }: { onLogin: (s: Session) => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string>();
  return (
    <div class="page login">
      <form
        class="card"
        onSubmit={async (e) => {
          e.preventDefault();
          setToken(value.trim());
          try {
            onLogin(await api.session());
          } catch (err) {
            setToken(undefined);
            setError((err as Error).message);
          }
        }}
      >
        <h1>Sluice</h1>
        <label>
          Admin or viewer token
          <textarea
            name="token"
            rows={4}
            value={value}
            onInput={(e) => setValue((e.target as HTMLTextAreaElement).value)}
            placeholder="paste a token from `sluice token`"
          />
        </label>
        {error && <p class="error">{error}</p>}
        <button class="primary" type="submit" disabled={value.trim() === ''}>
          Sign in
        </button>
        <p class="muted">The token stays in this tab's memory; it is never put in the URL.</p>
      </form>
    </div>
  );
}
