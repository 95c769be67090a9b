/** @jsxImportSource preact */

/** What a browser without a session sees: how to log in. */
export function LoginPage() {
  return (
    <div class="login">
      <h1>orch</h1>
      <p>This browser is not logged in to this orch server.</p>
      <p>
        Open the link with the one-time login code that <code>orch up</code> printed when it
        started, or run <code>orch open</code> in the project: it opens this page logged in.
      </p>
    </div>
  );
}
