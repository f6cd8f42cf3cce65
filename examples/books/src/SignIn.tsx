import { type FormEvent, useEffect, useRef, useState } from 'react';

export function SignIn({ onSignIn }: { onSignIn: (name: string) => void }) {
  const [name, setName] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const valid = /^[\p{L}\p{N} ._-]{1,40}$/u.test(name.trim());
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (valid) onSignIn(name.trim().toLowerCase());
  };
  return (
    <div className="signin">
      <form className="card signin-card" onSubmit={submit}>
        <img src="/icon.svg" alt="" width={48} height={48} />
        <h1>Shelf</h1>
        <p className="muted">Your reading list — on every device, and offline.</p>
        <label className="field">
          <span>Your name</span>
          <input
            ref={input}
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. alice"
            maxLength={40}
            autoComplete="username"
          />
        </label>
        <button type="submit" className="primary" disabled={!valid}>
          Sign in
        </button>
        <p className="fineprint">
          Demo sign-in: no password. Anyone using the same name sees the same books — don't store secrets.
        </p>
      </form>
    </div>
  );
}
